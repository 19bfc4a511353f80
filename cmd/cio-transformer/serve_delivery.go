package main

import (
	"fmt"
	flag "github.com/spf13/pflag"
	"time"

	"github.com/cio-transformer/cio-transformer/server"
	"github.com/cio-transformer/cio-transformer/server/delivery"
)

// deliveryFlags are the serve settings of delivery to Customer.io.
type deliveryFlags struct {
	usURL, euURL     string
	timeout          time.Duration
	rate             float64
	burst            int
	maxResponseBytes int64
}

// define adds the delivery flags to fs.
func (f *deliveryFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.usURL, "delivery-us-url", delivery.DefaultUSURL, "base URL that requests for track.customer.io are sent to (env CIO_DELIVERY_US_URL)")
	fs.StringVar(&f.euURL, "delivery-eu-url", delivery.DefaultEUURL, "base URL that requests for track-eu.customer.io are sent to (env CIO_DELIVERY_EU_URL)")
	fs.DurationVar(&f.timeout, "delivery-timeout", delivery.DefaultTimeout, "time limit of one exchange with Customer.io (env CIO_DELIVERY_TIMEOUT)")
	fs.Float64Var(&f.rate, "delivery-rate", delivery.DefaultRate, "requests per second sent to one Customer.io site; -1 is no limit (env CIO_DELIVERY_RATE)")
	fs.IntVar(&f.burst, "delivery-burst", delivery.DefaultBurst, "requests one site may send at once above --delivery-rate (env CIO_DELIVERY_BURST)")
	fs.Int64Var(&f.maxResponseBytes, "delivery-max-response-bytes", delivery.DefaultMaxResponseBytes, "most bytes of a Customer.io response body read (env CIO_DELIVERY_MAX_RESPONSE_BYTES)")
}

// apply sets the delivery settings of cfg from the flags.
func (f *deliveryFlags) apply(cfg *server.Config) error {
	if f.timeout <= 0 || f.burst <= 0 || f.maxResponseBytes <= 0 || f.rate == 0 || (f.rate < 0 && f.rate != -1) {
		return fmt.Errorf("delivery timeout, burst and max response bytes must be positive and the rate positive or -1")
	}
	cfg.Delivery = delivery.Config{
		USURL: f.usURL, EUURL: f.euURL, Timeout: f.timeout, Rate: f.rate, Burst: f.burst, MaxResponseBytes: f.maxResponseBytes,
	}
	return nil
}
