package scorek8s

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"paved.dev/paved"
)

// GUID is the resource's .Guid (resource_guid): score-k8s makes a random
// UUID when a resource is first added to a project; paved derives it from
// the app, environment and resource, so that it is the same on every render
// and on every server, and names built from it stay stable.
func GUID(dc paved.DeployContext, uid paved.ResourceUID) string {
	sum := sha256.Sum256([]byte(dc.App + "\x00" + dc.Env + "\x00" + string(uid)))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// NetworkService is how a workload is reached: its service name and its
// ports by name (and by number, as score-k8s also lists them).
type NetworkService struct {
	// ServiceName has the JSON name score-k8s gives it: its struct tags the
	// field for YAML only, so its programs read "ServiceName".
	ServiceName string `json:"ServiceName"`
	// ServiceNameSnake repeats it under the name paved used before, for
	// programs written for paved.
	ServiceNameSnake string                 `json:"service_name"`
	Ports            map[string]ServicePort `json:"ports"`
}

// ServicePort is one port of a workload's service.
type ServicePort struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	TargetPort int    `json:"target_port"`
	Protocol   string `json:"protocol"`
}

// WorkloadServices lists each workload's ports by name and then, where no
// port has that name, by number, with score-k8s' defaults (the target port
// is the port, the protocol TCP).
func WorkloadServices(workloads map[string]paved.WorkloadInfo) map[string]NetworkService {
	out := make(map[string]NetworkService, len(workloads))
	for name, w := range workloads {
		ns := NetworkService{ServiceName: w.ServiceName, ServiceNameSnake: w.ServiceName, Ports: map[string]ServicePort{}}
		for _, p := range w.Ports {
			sp := ServicePort(p)
			if sp.TargetPort == 0 {
				sp.TargetPort = sp.Port
			}
			if sp.Protocol == "" {
				sp.Protocol = "TCP"
			}
			ns.Ports[p.Name] = sp
		}
		for _, p := range w.Ports {
			if n := strconv.Itoa(p.Port); ns.Ports[n] == (ServicePort{}) {
				ns.Ports[n] = ns.Ports[p.Name]
			}
		}
		out[name] = ns
	}
	return out
}
