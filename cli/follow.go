package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// codeWaitTimeout marks giving up waiting on a deployment that goes on.
const codeWaitTimeout = "wait_timeout"

// waitFlags say whether and how long a command follows the deployment it
// queued.
type waitFlags struct {
	wait, noWait bool
	timeout      time.Duration
}

func (w *waitFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&w.wait, "wait", true, "follow the deployment until it ends (the default)")
	cmd.Flags().BoolVar(&w.noWait, "no-wait", false, "return once the deployment is queued (exit 0); follow it later with paved deployments show")
	cmd.Flags().DurationVar(&w.timeout, "timeout", 0, "give up following after this long (exit 10; the deployment goes on); 0 waits until it ends")
	cmd.MarkFlagsMutuallyExclusive("wait", "no-wait")
}

func (w *waitFlags) waiting() bool { return w.wait && !w.noWait }

// report is a deployment and its events: what -o json|yaml prints for
// deploy, rollback, promote, env create --from and deployments show.
type report struct {
	*paved.Deployment
	Events []paved.Event `json:"events"`
}

// follow prints a queued deployment's events as they come and returns an
// error when it fails. A deployment whose plan went stale and was planned
// again is followed on to the one that took its place. With -o json|yaml
// the events go to stderr as they come, and stdout gets one document: the
// deployment as it ended (or stands, when not waiting) and its events.
func follow(cmd *cobra.Command, c *api.Client, d *paved.Deployment, w waitFlags) error {
	r, err := track(cmd, c, d, w)
	if r != nil && structured(cmd) {
		if perr := printOut(cmd, r, nil); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

// structured reports whether the command prints JSON or YAML.
func structured(cmd *cobra.Command) bool {
	format, _ := cmd.Flags().GetString("output")
	return format == formatJSON || format == formatYAML
}

// progress is where a command's running commentary goes: stdout, or stderr
// when stdout is for a JSON or YAML document.
func progress(cmd *cobra.Command) io.Writer {
	if structured(cmd) {
		return cmd.ErrOrStderr()
	}
	return cmd.OutOrStdout()
}

// track is follow without the final document: it returns the deployment as
// it ended (or stands) and its events, and the error follow returns.
func track(cmd *cobra.Command, c *api.Client, d *paved.Deployment, w waitFlags) (*report, error) {
	out := progress(cmd)
	fmt.Fprintf(out, "deployment %s queued for %s/%s\n", d.ID, d.App, d.Env)
	if !w.waiting() {
		return &report{Deployment: d, Events: []paved.Event{}}, nil
	}
	ctx := cmd.Context()
	if w.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.timeout)
		defer cancel()
	}
	id, final, events, err := followChain(ctx, c, d.ID, out)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && cmd.Context().Err() == nil {
			err = paved.Errorf(codeWaitTimeout, "gave up waiting after %v: deployment %s goes on; see where it stands with paved deployments show %s", w.timeout, id, id)
		}
		// Where the deployment being followed stands, as far as the
		// server still answers; else as it was queued.
		r := &report{Deployment: d, Events: events}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 5*time.Second)
		defer cancel()
		if cur, gerr := c.GetDeployment(rctx, id); gerr == nil {
			r.Deployment = cur
		} else if final != nil {
			r.Deployment = final
		}
		if paved.ErrorCode(err) == codeWaitTimeout {
			err = paved.Errorf(codeWaitTimeout, "%s (it is %s)", paved.ErrorMessage(err), r.Status)
		}
		return r, err
	}
	r := &report{Deployment: final, Events: events}
	if final.Status != paved.DeploymentSucceeded {
		return r, paved.Errorf(codeDeploymentFailed, "deployment %s %s: %s", final.ID, final.Status, final.Error)
	}
	fmt.Fprintf(out, "deployment %s %s: %d objects, revision %s\n", final.ID, final.Status, len(final.Inventory), final.Revision)
	return r, nil
}

// followChain streams the events of deployment id, and of those that took
// its place, until the last has ended. It returns the id it followed last,
// that deployment once it has ended, and its events; on an error, the id
// it was following and the events it had.
func followChain(ctx context.Context, c *api.Client, id string, progress io.Writer) (string, *paved.Deployment, []paved.Event, error) {
	for {
		events := []paved.Event{}
		err := c.StreamEvents(ctx, id, 0, func(e paved.Event) error {
			events = append(events, e)
			fmt.Fprintf(progress, "  %s %-5s %s\n", e.Time.Format("15:04:05.000"), e.Level, e.Message)
			return nil
		})
		if err != nil {
			return id, nil, events, err
		}
		cur, err := c.GetDeployment(ctx, id)
		if err != nil {
			return id, nil, events, err
		}
		if cur.ReplacedBy == "" {
			return id, cur, events, nil
		}
		fmt.Fprintf(progress, "deployment %s's plan went stale before it ran; following %s, planned again in its place\n", cur.ID, cur.ReplacedBy)
		id = cur.ReplacedBy
	}
}
