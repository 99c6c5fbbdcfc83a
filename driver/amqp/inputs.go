package amqp

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	driverinputs "paved.dev/paved/driver/inputs"
)

// inputs are a definition's driver_inputs, checked.
type inputs struct {
	ManagementURL *url.URL // base of the management HTTP API, without a trailing slash
	Host          string   // AMQP host given to workloads
	Port          int      // AMQP port given to workloads
	Username      string
	Password      string // secret: never logged, never in an error
}

func (in *inputs) addr() string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

func (in *inputs) api() string { return in.ManagementURL.Redacted() }

func parseInputs(m map[string]any) (*inputs, error) {
	r := driverinputs.NewReader("amqp", m)
	raw := r.String("management_url", true, `the RabbitMQ management API's base URL, e.g. "http://127.0.0.1:15672"`)
	in := &inputs{
		Host:     r.String("host", false, ""),
		Port:     r.Port("port", 5672),
		Username: r.String("username", true, "a RabbitMQ user with the administrator tag"),
		Password: r.String("password", false, ""),
	}
	if raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			r.Problemf(`management_url must be an http or https URL such as "http://127.0.0.1:15672"`)
		case u.User != nil:
			r.Problemf("management_url must not hold credentials: set username and password instead")
		default:
			u.Path = strings.TrimRight(u.Path, "/")
			u.RawQuery, u.Fragment = "", ""
			in.ManagementURL = u
			if in.Host == "" {
				in.Host = u.Hostname()
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// SecretInputs names the inputs the platform seals at rest.
func (d *Driver) SecretInputs() []string { return []string{"password"} }
