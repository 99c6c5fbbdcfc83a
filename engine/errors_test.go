package engine

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/definition"
)

func TestRunErrors(t *testing.T) {
	e := mustEngine(t)
	const head = "apiVersion: score.dev/v1b1\nmetadata: {name: web}\n"
	defHead := "apiVersion: paved.dev/v1\nkind: ResourceDefinition\n"
	tests := []struct {
		name, spec, defs, want string
		ctx                    paved.DeployContext
	}{
		{name: "cycle between resources",
			spec: head + "containers: {main: {image: nginx}}\nresources:\n  aa: {type: thing, params: {x: '${resources.bb.out}'}}\n  bb: {type: thing, params: {x: '${resources.aa.out}'}}\n",
			defs: defHead + "id: thing\ntype: thing\ndriver: template\noutputs: [{name: out}]\ndriver_inputs: {outputs: 'out: 1'}\n",
			want: "the resources' params form a cycle: thing.default#web.aa → thing.default#web.bb → thing.default#web.aa"},
		{name: "unknown output",
			spec: head + "containers: {main: {image: nginx, variables: {H: '${resources.db.hots}'}}}\nresources: {db: {type: postgres}}\n",
			want: `web.score.yaml: containers.main.variables.H: unknown output "hots" of resource db (postgres.default#web.db); definition default-postgres declares host, port, name, database, username, password, uri`},
		{name: "no definition",
			spec: head + "containers: {main: {image: nginx}}\nresources: {queue: {type: sqs}}\n",
			want: `web.score.yaml: resources.queue: no resource definition provides type sqs`},
		{name: "template that fails",
			spec: head + "containers: {main: {image: nginx}}\nresources: {rr: {type: thing}}\n",
			defs: defHead + "id: thing\ntype: thing\ndriver: template\ndriver_inputs: {outputs: '{{ required \"params.size is required\" (dig \"size\" nil .Params) }}'}\n",
			want: "resource thing.default#web.rr (definition thing, driver template): outputs: template: outputs:1:3: executing \"outputs\" at <required"},
		{name: "template that makes no YAML",
			spec: head + "containers: {main: {image: nginx}}\nresources: {rr: {type: thing}}\n",
			defs: defHead + "id: thing\ntype: thing\ndriver: template\ndriver_inputs: {outputs: 'a: [b'}\n",
			want: "outputs: the template did not produce valid YAML"},
		{name: "undeclared output",
			spec: head + "containers: {main: {image: nginx}}\nresources: {rr: {type: thing}}\n",
			defs: defHead + "id: thing\ntype: thing\ndriver: template\ndriver_inputs: {outputs: 'token: abc'}\n",
			want: `the driver returned output "token" that the definition does not declare`},
		{name: "unknown driver",
			spec: head + "containers: {main: {image: nginx}}\n",
			defs: defHead + "id: thing\ntype: thing\ndriver: terraform\n",
			want: `definition thing: driver: unknown driver "terraform"`},
		{name: "route to a workload without ports",
			spec: head + "containers: {main: {image: nginx}}\nresources: {dns: {type: dns}, route: {type: route, params: {host: '${resources.dns.host}', port: 80}}}\n",
			want: "workload web has no service ports; declare service.ports in its Score file"},
		{name: "missing environment value",
			spec: head + "containers: {main: {image: nginx, variables: {X: '${resources.env.MISSING}'}}}\nresources: {env: {type: environment}}\n",
			want: `containers.main.variables.X: ${resources.env.MISSING}: resource environment.default#web.env (definition default-environment) did not return output "MISSING"`},
		{name: "secret output in params",
			spec: head + "containers: {main: {image: nginx}}\nservice: {ports: {http: {port: 80}}}\nresources:\n  db: {type: postgres}\n  route: {type: route, params: {host: '${resources.db.password}', port: 80}}\n",
			want: "resources.route.params.host: ${resources.db.password} is a secret output; resource params may not use secret outputs"},
		{name: "shared id that reads as another workload's resource",
			spec: head + "containers: {main: {image: nginx}}\nresources:\n  db: {type: postgres}\n  stolen: {type: postgres, id: web.db}\n",
			want: `resources.stolen.id: "web.db" reads as resource db of workload web`},
		{name: "bad app name", spec: head + "containers: {main: {image: nginx}}\n",
			ctx: paved.DeployContext{App: "Shop_1", Env: "dev", EnvType: "development"}, want: `app: "Shop_1" must be 1-63 lower-case letters`},
		{name: "bad env type", spec: head + "containers: {main: {image: nginx}}\n",
			ctx: paved.DeployContext{App: "shop", Env: "dev", EnvType: "prod"}, want: `env type: "prod" is not one of ephemeral, development, staging, production`},
		{name: "bad memory", spec: head + "containers: {main: {image: nginx, resources: {limits: {memory: lots}}}}\n",
			want: `containers.main.resources.limits.memory: does not match pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var defs []paved.ResourceDefinition
			if tt.defs != "" {
				var err error
				if defs, err = definition.Parse("defs.yaml", []byte(tt.defs)); err != nil {
					t.Fatal(err)
				}
			}
			ctx := tt.ctx
			if ctx.App == "" {
				ctx = paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"}
			}
			_, err := e.Run(context.Background(), Request{
				Sources:     []Source{{Path: "web.score.yaml", Data: []byte(tt.spec)}},
				Definitions: defs,
				Context:     ctx,
			})
			if err == nil {
				t.Fatalf("want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got  %v\nwant it to contain %q", err, tt.want)
			}
			if code := paved.ErrorCode(err); code != paved.EINVALID {
				t.Errorf("error code %s, want %s", code, paved.EINVALID)
			}
		})
	}
}

func TestSharedResourceParamsMustAgree(t *testing.T) {
	e := mustEngine(t)
	a := "apiVersion: score.dev/v1b1\nmetadata: {name: aa}\ncontainers: {main: {image: nginx}}\nresources: {data: {type: volume, id: shared, params: {size: 1Gi}}}\n"
	b := "apiVersion: score.dev/v1b1\nmetadata: {name: bb}\ncontainers: {main: {image: nginx}}\nresources: {store: {type: volume, id: shared, params: {size: 5Gi}}}\n"
	_, err := e.Run(context.Background(), Request{
		Sources: []Source{{Path: "a.score.yaml", Data: []byte(a)}, {Path: "b.score.yaml", Data: []byte(b)}},
		Context: paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"},
	})
	if err == nil || !strings.Contains(err.Error(), "resource volume.default#shared is also declared by workload aa with other params") {
		t.Fatalf("got %v", err)
	}
}
