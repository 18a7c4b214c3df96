package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/IBM/sarama"
)

// saramaConfig is the client configuration a changefeed's Kafka sink starts with (TiCDC, pingcap/tiflow
// pkg/sink/kafka/sarama.go NewSaramaConfig, and pingcap/ticdc pkg/sink/kafka/sarama_config.go): acks=all
// (TiCDC's default required-acks), one request in flight per connection, 5 producer retries 100 ms apart,
// metadata retried 10 times 200 ms apart, no batching thresholds, a manual partitioner, 10 s network timeouts.
// TiCDC leaves Producer.Idempotent off; -idempotent turns it on.
func saramaConfig(o options, dialer *endpointDialer, maxMessageBytes int) (*sarama.Config, error) {
	config := sarama.NewConfig()
	version, err := sarama.ParseKafkaVersion(o.version)
	if err != nil {
		return nil, err
	}
	config.Version = version
	config.ClientID = o.clientID
	config.Net.Proxy.Enable = true
	config.Net.Proxy.Dialer = dialer
	config.Net.DialTimeout = 10 * time.Second
	config.Net.ReadTimeout = 10 * time.Second
	config.Net.WriteTimeout = 10 * time.Second
	config.Net.MaxOpenRequests = 1
	config.Metadata.Retry.Max = 10
	config.Metadata.Retry.Backoff = 200 * time.Millisecond
	config.Metadata.Timeout = 2 * time.Minute
	config.Admin.Retry.Max = 10
	config.Admin.Retry.Backoff = 200 * time.Millisecond
	config.Admin.Timeout = 10 * time.Second
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Idempotent = o.idempotent
	config.Producer.Retry.Max = 5
	config.Producer.Retry.Backoff = 100 * time.Millisecond
	config.Producer.Partitioner = sarama.NewManualPartitioner
	config.Producer.Return.Successes = true
	config.Producer.Return.Errors = true
	config.Producer.MaxMessageBytes = maxMessageBytes
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	if o.mechanism != "" {
		config.Net.SASL.Enable = true
		config.Net.SASL.Mechanism = sarama.SASLMechanism(o.mechanism)
		config.Net.SASL.User = o.user
		config.Net.SASL.Password = os.Getenv("KAFKA_PLC_SASL_PASSWORD")
		config.Net.SASL.Handshake = true
		switch o.mechanism {
		case sarama.SASLTypeSCRAMSHA256:
			config.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAM(sha256Hash) }
		case sarama.SASLTypeSCRAMSHA512:
			config.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAM(sha512Hash) }
		}
	}
	return config, config.Validate()
}

// newClient connects through the bootstrap address with TiCDC's configuration; on failure it names the step.
func newClient(o options, dialer *endpointDialer, maxMessageBytes int) (sarama.Client, string, error) {
	config, err := saramaConfig(o, dialer, maxMessageBytes)
	if err != nil {
		return nil, "config", err
	}
	client, err := sarama.NewClient([]string{o.bootstrap}, config)
	if err != nil {
		return nil, "connect", err
	}
	return client, "", nil
}

// maxMessageBytesOverhead is what TiCDC keeps below the broker's or topic's limit for a message's framing
// (tiflow pkg/sink/kafka/options.go).
const maxMessageBytesOverhead = 128

// adjustMaxMessageBytes is tiflow's AdjustOptions: the limit is the topic's max.message.bytes when the topic
// exists, else the broker's message.max.bytes; the changefeed's max-message-bytes is lowered to 128 bytes
// under it when it does not fit.
func adjustMaxMessageBytes(wanted int, limit string) (int, error) {
	value, err := strconv.Atoi(limit)
	if err != nil {
		return 0, fmt.Errorf("message size limit %q is not a number", limit)
	}
	return min(wanted, value-maxMessageBytesOverhead), nil
}

// check runs the steps in a changefeed's order (tiflow pkg/sink/kafka/options.go AdjustOptions, then
// cdc/sink/dmlsink/mq/manager/kafka_manager.go CreateTopicAndWaitUntilVisible); on failure it returns the
// step's name with the error.
func check(ctx context.Context, o options, dialer *endpointDialer, r *report) (string, error) {
	client, step, err := newClient(o, dialer, o.maxMessageBytes)
	if err != nil {
		return step, err
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return "admin", err
	}
	brokers, controller, err := admin.DescribeCluster()
	if err != nil {
		return "describe cluster", err
	}
	r.ControllerID = controller
	for _, b := range brokers {
		r.Brokers = append(r.Brokers, map[string]any{"id": b.ID(), "addr": b.Addr(), "rack": b.Rack()})
	}
	metadata, err := admin.DescribeTopics([]string{o.topic})
	if err != nil || len(metadata) != 1 {
		return "describe topic", fmt.Errorf("%d topics described: %v", len(metadata), err)
	}
	existed := !errors.Is(metadata[0].Err, sarama.ErrUnknownTopicOrPartition)
	if existed && metadata[0].Err != sarama.ErrNoError {
		return "describe topic", metadata[0].Err
	}
	// The broker's configs are read from the controller, as TiCDC's GetBrokerConfig does (DescribeConfigs on
	// the BROKER resource: the consumer's ACLs must allow DescribeConfigs on the cluster).
	if err := describeConfigs(admin, sarama.BrokerResource, strconv.Itoa(int(controller)), r.BrokerConfigs); err != nil {
		return "describe broker configs", err
	}
	limit, minISR := r.BrokerConfigs["message.max.bytes"], r.BrokerConfigs["min.insync.replicas"]
	if existed {
		// A topic's configs it may not read (its ACLs grant Create and Write only): the broker's, as tiflow's
		// getTopicConfig falls back.
		if err := describeConfigs(admin, sarama.TopicResource, o.topic, r.TopicConfigs); err != nil {
			r.TopicConfigsError = err.Error()
		} else {
			limit, minISR = r.TopicConfigs["max.message.bytes"], r.TopicConfigs["min.insync.replicas"]
		}
	}
	if r.MaxMessageBytes, err = adjustMaxMessageBytes(o.maxMessageBytes, limit); err != nil {
		return "max message bytes", err
	}
	// acks=all: a replication factor under min.insync.replicas could never be written (validateMinInsyncReplicas).
	if n, err := strconv.Atoi(minISR); err != nil || o.replicationFactor < n {
		return "min.insync.replicas", fmt.Errorf("replication factor %d under min.insync.replicas %q", o.replicationFactor, minISR)
	}
	if !existed {
		if step, err := createTopic(admin, o, r); err != nil {
			return step, err
		}
	}
	if metadata, err = admin.DescribeTopics([]string{o.topic}); err != nil || len(metadata) != 1 {
		return "describe topic", fmt.Errorf("%d topics described: %v", len(metadata), err)
	}
	r.Partitions = len(metadata[0].Partitions)
	if r.Partitions > 0 {
		r.ReplicationFactor = len(metadata[0].Partitions[0].Replicas)
	}
	// The producer gets a client of its own, configured with the adjusted size (as TiCDC's sink does).
	producerClient, step, err := newClient(o, dialer, r.MaxMessageBytes)
	if err != nil {
		return step, err
	}
	defer producerClient.Close()
	keys, step, err := produce(producerClient, o, r)
	if err != nil || !o.readBack {
		return step, err
	}
	return consume(ctx, client, o, keys, r)
}

func describeConfigs(admin sarama.ClusterAdmin, kind sarama.ConfigResourceType, name string, into map[string]string) error {
	entries, err := admin.DescribeConfig(sarama.ConfigResource{
		Type:        kind,
		Name:        name,
		ConfigNames: []string{"message.max.bytes", "max.message.bytes", "min.insync.replicas"},
	})
	for _, e := range entries {
		into[e.Name] = e.Value
	}
	return err
}

// createTopic creates the topic with the changefeed's partitions and replication factor (no configs: TiCDC
// sets none) and waits until it is described (CreateTopicAndWaitUntilVisible). Its configs are then read for
// the report only, retried while a broker does not know the topic yet; one it may not read is noted.
func createTopic(admin sarama.ClusterAdmin, o options, r *report) (string, error) {
	err := admin.CreateTopic(o.topic, &sarama.TopicDetail{
		NumPartitions:     int32(o.partitions),
		ReplicationFactor: int16(o.replicationFactor),
	}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return "create topic", err
	}
	r.TopicCreated = err == nil
	deadline := time.Now().Add(30 * time.Second)
	for {
		metadata, err := admin.DescribeTopics([]string{o.topic})
		if err == nil && len(metadata) == 1 && metadata[0].Err == sarama.ErrNoError &&
			len(metadata[0].Partitions) == o.partitions {
			break
		}
		if time.Now().After(deadline) {
			return "create topic", fmt.Errorf("topic %s not described 30 s after its creation: %v", o.topic, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for {
		err := describeConfigs(admin, sarama.TopicResource, o.topic, r.TopicConfigs)
		if err == nil {
			return "", nil
		}
		if !errors.Is(err, sarama.ErrUnknownTopicOrPartition) || time.Now().After(deadline) {
			r.TopicConfigsError = err.Error()
			return "", nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func produce(client sarama.Client, o options, r *report) (map[string]int, string, error) {
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		return nil, "producer", err
	}
	defer producer.Close()
	messages := make([]*sarama.ProducerMessage, 0, o.messages+1)
	keys := map[string]int{}
	partitions, err := client.Partitions(o.topic)
	if err != nil {
		return nil, "produce", err
	}
	add := func(key string, size int) {
		value := make([]byte, size)
		_, _ = rand.Read(value)
		keys[key] = size
		messages = append(messages, &sarama.ProducerMessage{
			Topic:     o.topic,
			Partition: partitions[len(messages)%len(partitions)],
			Key:       sarama.StringEncoder(key),
			Value:     sarama.ByteEncoder(value),
		})
	}
	// Keys unique to this run: a topic that already holds an earlier run's messages cannot answer for this one.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for i := 0; i < o.messages; i++ {
		add(fmt.Sprintf("ticdc-%s-%06d", run, i), o.messageBytes)
	}
	if o.largeBytes > 0 {
		add(fmt.Sprintf("ticdc-%s-large", run), o.largeBytes)
	}
	if err := producer.SendMessages(messages); err != nil {
		var errs sarama.ProducerErrors
		if errors.As(err, &errs) && len(errs) > 0 {
			return nil, "produce", fmt.Errorf("%d of %d not acknowledged, first: %w", len(errs), len(messages), errs[0].Err)
		}
		return nil, "produce", err
	}
	for _, m := range messages {
		r.Acked++
		r.AckedBytes += int64(m.Value.Length())
	}
	return keys, "", nil
}

func consume(ctx context.Context, client sarama.Client, o options, keys map[string]int, r *report) (string, error) {
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return "consumer", err
	}
	defer consumer.Close()
	partitions, err := consumer.Partitions(o.topic)
	if err != nil {
		return "consume", err
	}
	seen := map[string]bool{}
	type record struct {
		key  string
		size int
	}
	records := make(chan record)
	for _, p := range partitions {
		pc, err := consumer.ConsumePartition(o.topic, p, sarama.OffsetOldest)
		if err != nil {
			return "consume", err
		}
		defer pc.Close()
		go func() {
			for m := range pc.Messages() {
				select {
				case records <- record{string(m.Key), len(m.Value)}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for len(seen) < len(keys) {
		select {
		case rec := <-records:
			size, ours := keys[rec.key]
			if !ours {
				continue
			}
			if seen[rec.key] {
				// a retried send the broker had already written (TiCDC's producer is not idempotent)
				r.Duplicates++
				continue
			}
			if rec.size != size {
				return "consume", fmt.Errorf("%s came back with %d bytes, %d sent", rec.key, rec.size, size)
			}
			seen[rec.key] = true
			r.Consumed++
			r.ConsumedBytes += int64(rec.size)
		case <-ctx.Done():
			for key := range keys {
				if !seen[key] {
					r.Missing = append(r.Missing, key)
				}
			}
			return "consume", fmt.Errorf("%d of %d messages not read back: %w", len(r.Missing), len(keys), ctx.Err())
		}
	}
	return "", nil
}
