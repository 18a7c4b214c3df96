package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/IBM/sarama"
)

// load (-load) writes to an existing topic with TiCDC's producer settings, one message every -interval, until
// its standard input closes (or -timeout passes), counting what was acknowledged and what failed after
// Sarama's retries; then it reads the topic back and reports every acknowledged message it did not find.
func load(ctx context.Context, o options, dialer *endpointDialer, r *report) (string, error) {
	client, step, err := newClient(o, dialer, o.maxMessageBytes)
	if err != nil {
		return step, err
	}
	defer client.Close()
	partitions, err := client.Partitions(o.topic)
	if err != nil {
		return "describe topic", err
	}
	r.Partitions = len(partitions)
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		return "producer", err
	}
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	keys := map[string]int{}
	tick := time.NewTicker(o.interval)
	defer tick.Stop()
	for i := 0; stop.Err() == nil; i++ {
		key := fmt.Sprintf("sarama-%s-%07d", run, i)
		value := []byte(fmt.Sprintf("row change %d", i))
		partition := partitions[i%len(partitions)]
		_, _, err := producer.SendMessage(&sarama.ProducerMessage{
			Topic:     o.topic,
			Partition: partition,
			Key:       sarama.StringEncoder(key),
			Value:     sarama.ByteEncoder(value),
		})
		if err != nil {
			r.Failed++
			if len(r.Failures) < 10 {
				at := time.Now().Format("15:04:05.000")
				r.Failures = append(r.Failures, fmt.Sprintf("%s %s (partition %d): %v", at, key, partition, err))
			}
		} else {
			keys[key] = len(value)
			r.Acked++
			r.AckedBytes += int64(len(value))
		}
		select {
		case <-tick.C:
		case <-stop.Done():
		}
	}
	_ = producer.Close()
	readBack, cancelRead := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancelRead()
	return consume(readBack, client, o, keys, r)
}
