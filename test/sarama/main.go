// ticdc-check does what a TiCDC changefeed's Kafka sink does when it starts, with TiCDC's own Kafka client
// (Sarama), through the bootstrap address only: describe the cluster, read the broker's and the topic's
// message size limits, create the topic when it is missing, produce with acks=all and the idempotent producer,
// then read every message back. Every host name a broker advertises is resolved by -hosts (a hosts file, as
// TiDB Cloud's private DNS zone resolves them to the endpoint); any other name is refused, so the client can
// never reach a broker but through the endpoint. It prints one JSON report on standard output; exit 1 when a
// step failed (the report says which), 2 on bad flags.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

type dial struct {
	Host    string `json:"host"`
	Port    string `json:"port"`
	Address string `json:"address,omitempty"`
}

// endpointDialer resolves advertised names through the hosts file and allows a literal IP only when it is
// one of the file's addresses (the endpoint's).
type endpointDialer struct {
	names   map[string]string
	allowed map[string]bool
	mu      sync.Mutex
	dials   []dial
	refused []dial
}

func (d *endpointDialer) Dial(network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	address, ok := d.names[host]
	if !ok && net.ParseIP(host) != nil && d.allowed[host] {
		address, ok = host, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !ok {
		d.refused = append(d.refused, dial{Host: host, Port: port})
		return nil, fmt.Errorf("consumer side: %s does not resolve here (only the advertised names do)", host)
	}
	d.dials = append(d.dials, dial{Host: host, Port: port, Address: address})
	return (&net.Dialer{Timeout: 10 * time.Second}).Dial(network, net.JoinHostPort(address, port))
}

func readHosts(path string) (*endpointDialer, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	d := &endpointDialer{names: map[string]string{}, allowed: map[string]bool{}}
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if net.ParseIP(fields[0]) == nil {
			return nil, fmt.Errorf("hosts file %s: %q is not an address", path, fields[0])
		}
		d.allowed[fields[0]] = true
		for _, name := range fields[1:] {
			d.names[name] = fields[0]
		}
	}
	return d, scanner.Err()
}

type report struct {
	Brokers           []map[string]any  `json:"brokers"`
	ControllerID      int32             `json:"controllerId"`
	BrokerConfigs     map[string]string `json:"brokerConfigs"`
	TopicCreated      bool              `json:"topicCreated"`
	Partitions        int               `json:"partitions"`
	ReplicationFactor int               `json:"replicationFactor"`
	TopicConfigs      map[string]string `json:"topicConfigs"`
	TopicConfigsError string            `json:"topicConfigsError,omitempty"`
	MaxMessageBytes   int               `json:"maxMessageBytes"`
	Acked             int               `json:"acked"`
	AckedBytes        int64             `json:"ackedBytes"`
	Failed            int               `json:"failed"`
	Failures          []string          `json:"failures"`
	Consumed          int               `json:"consumed"`
	ConsumedBytes     int64             `json:"consumedBytes"`
	Duplicates        int               `json:"duplicates"`
	Missing           []string          `json:"missing"`
	Dials             []dial            `json:"dials"`
	Refused           []dial            `json:"refused"`
	Step              string            `json:"step,omitempty"`
	Error             string            `json:"error,omitempty"`
}

type options struct {
	bootstrap, hosts, topic, mechanism, user, clientID, version string
	logFile                                                     string
	partitions, replicationFactor, messages, messageBytes       int
	largeBytes, maxMessageBytes                                 int
	idempotent, readBack, load                                  bool
	timeout, interval                                           time.Duration
}

func parseFlags() (options, error) {
	var o options
	flags := flag.NewFlagSet("ticdc-check", flag.ContinueOnError)
	flags.StringVar(&o.bootstrap, "bootstrap", "", "the endpoint's bootstrap address, host:port (required)")
	flags.StringVar(&o.hosts, "hosts", "", "hosts file resolving the advertised names (required)")
	flags.StringVar(&o.topic, "topic", "", "the changefeed's topic (required)")
	flags.IntVar(&o.partitions, "partitions", 3, "partitions of a topic it creates")
	flags.IntVar(&o.replicationFactor, "replication-factor", 3, "replication factor of a topic it creates")
	flags.IntVar(&o.messages, "messages", 100, "messages to produce")
	flags.IntVar(&o.messageBytes, "message-bytes", 256, "value size of each message")
	flags.IntVar(&o.largeBytes, "large-message-bytes", 0, "also produce one message of this value size (0: none)")
	flags.StringVar(&o.mechanism, "sasl-mechanism", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (empty: no SASL)")
	flags.StringVar(&o.user, "sasl-user", "", "SASL user (the password comes from KAFKA_PLC_SASL_PASSWORD)")
	flags.StringVar(&o.clientID, "client-id", "TiCDC_sarama_producer_kafka-plc-check", "Kafka client id")
	flags.IntVar(&o.maxMessageBytes, "max-message-bytes", 10*1024*1024, "the changefeed's max-message-bytes (TiCDC's default 10 MiB)")
	flags.BoolVar(&o.idempotent, "idempotent", false, "the idempotent producer (TiCDC leaves it off)")
	flags.BoolVar(&o.readBack, "read-back", true, "read every message back (a changefeed's ACLs allow no reading)")
	flags.BoolVar(&o.load, "load", false, "write to the existing topic until standard input closes, then read back")
	flags.DurationVar(&o.interval, "interval", 20*time.Millisecond, "with -load: time between two messages")
	// TiCDC asks a broker for its API versions and maps Metadata v10 and later to 2.8.0 (tiflow
	// pkg/sink/kafka/sarama.go getKafkaVersionFromBroker): Kafka 3.7 brokers are spoken to as 2.8.0.
	flags.StringVar(&o.version, "kafka-version", "2.8.0", "the Kafka version the client speaks, as TiCDC settles on")
	flags.StringVar(&o.logFile, "log", "", "append Sarama's own log (retries, metadata refreshes) to this file")
	flags.DurationVar(&o.timeout, "timeout", 2*time.Minute, "bound on the whole check")
	if err := flags.Parse(os.Args[1:]); err != nil {
		return o, err
	}
	for _, required := range [][2]string{{"bootstrap", o.bootstrap}, {"hosts", o.hosts}, {"topic", o.topic}} {
		if required[1] == "" {
			return o, fmt.Errorf("-%s is required", required[0])
		}
	}
	for _, positive := range []struct {
		name  string
		value int
	}{{"messages", o.messages}, {"message-bytes", o.messageBytes}, {"partitions", o.partitions},
		{"replication-factor", o.replicationFactor}, {"max-message-bytes", o.maxMessageBytes}} {
		if positive.value < 1 {
			return o, fmt.Errorf("-%s must be positive (got %d)", positive.name, positive.value)
		}
	}
	if o.largeBytes < 0 {
		return o, fmt.Errorf("-large-message-bytes must not be negative (got %d)", o.largeBytes)
	}
	switch o.mechanism {
	case "", sarama.SASLTypePlaintext, sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512:
	default:
		return o, fmt.Errorf("-sasl-mechanism %q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", o.mechanism)
	}
	return o, nil
}

func main() {
	o, err := parseFlags()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ticdc-check: %v\n", err)
		os.Exit(2)
	}
	dialer, err := readHosts(o.hosts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ticdc-check: %v\n", err)
		os.Exit(2)
	}
	if o.logFile != "" {
		file, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ticdc-check: -log: %v\n", err)
			os.Exit(2)
		}
		defer file.Close()
		sarama.Logger = log.New(file, "[sarama] ", log.LstdFlags|log.Lmicroseconds)
	}
	r := &report{
		BrokerConfigs: map[string]string{}, TopicConfigs: map[string]string{},
		Missing: []string{}, Dials: []dial{}, Refused: []dial{}, Failures: []string{},
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	run := check
	if o.load {
		run = load
	}
	step, err := run(ctx, o, dialer, r)
	r.Dials, r.Refused = append(r.Dials, dialer.dials...), append(r.Refused, dialer.refused...)
	if err != nil {
		r.Step, r.Error = step, err.Error()
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	if err != nil {
		os.Exit(1)
	}
}
