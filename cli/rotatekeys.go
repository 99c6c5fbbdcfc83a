package cli

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/server"
	"paved.dev/paved/target/gitops"
)

func newRotateKeysCmd(settle func(*cobra.Command) (*slog.Logger, error), cfg *server.Config) *cobra.Command {
	var sealingKey bool
	cmd := &cobra.Command{
		Use:   "rotate-keys",
		Short: "Rotate the secret key and seal everything the store holds again with the new one",
		Long: `rotate-keys replaces the secret key that seals what the store keeps (resources'
secret outputs and driver state, registered clusters' kubeconfigs, definitions'
secret inputs, the Secrets of deployments' snapshots) and seals every one of
them again with the new key. Run it on the server's host with the server's
--data-dir or --database (or its --config), every server of the store stopped.

With the key file (secret.key in the data dir) it keeps the old key in
secret.key.old, writes the new one, seals each row again on its own
(atomically: a row is sealed with one key or the other, never half), checks
that the new key alone opens every value, and then removes secret.key.old.
Interrupted, run it again: it resumes, and a server started meanwhile opens
values sealed with either key.

With PAVED_SECRET_KEY, make the new key yourself and give both:
PAVED_SECRET_KEY=NEW,OLD (the new key, then the old one, from which what
paved derives keeps deriving) and PAVED_OLD_SECRET_KEY=OLD; when it is done,
start the servers with the new PAVED_SECRET_KEY and without
PAVED_OLD_SECRET_KEY.

What derives from the key stays the same: environments' seeds (so the
passwords templates generate) and the GitOps repository's MAC key. The GitOps
repository's SealedSecrets are sealed with the sealing certificate, not this
key, and need nothing for it.

--sealing-key also replaces the local key pair that seals the GitOps
repository's Secrets (sealing/ in the data dir, when no --sealing-cert is
given), keeping the old pair in sealing/retired/ (the repository's history,
and every environment until its next deployment, is sealed with it): each
environment's next deployment seals its every Secret again with the new
certificate. Install the new key in the clusters' sealed-secrets controller
before that deployment reaches them, and keep the old one there until every
environment was deployed again. With --sealing-cert, the key is the
controller's: rotate it there and give the servers its new certificate.`,
		Example: `  paved server rotate-keys --data-dir ./paved-data
  paved server rotate-keys --data-dir ./paved-data --sealing-key
  PAVED_SECRET_KEY="$(openssl rand -base64 32),$OLD" PAVED_OLD_SECRET_KEY="$OLD" paved server rotate-keys --database postgres://paved@db/paved --sealing-cert cert.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := settle(cmd); err != nil {
				return err
			}
			if sealingKey && cfg.SealingCert != "" {
				_, err := server.RotateSealingKey(*cfg) // says why not, before anything changes
				return err
			}
			rot, err := server.RotateKeys(cmd.Context(), *cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, k := range paved.SealedKinds {
				c := rot.Counts[k]
				fmt.Fprintf(out, "%-12s %d of %d rows sealed again (the others held nothing sealed with the old key)\n", k, c.Resealed, c.Rows)
			}
			if rot.KeyFile != "" {
				fmt.Fprintf(out, "the new key is in %s; the old one is removed: back up the new one now\n", rot.KeyFile)
			} else {
				fmt.Fprintln(out, "done: start the servers with the new PAVED_SECRET_KEY and without PAVED_OLD_SECRET_KEY")
			}
			if sealingKey {
				if _, err := server.RotateSealingKey(*cfg); err != nil {
					return err
				}
				fmt.Fprintf(out, "new sealing key pair in %s (the old one in %s): each environment's next deployment seals its Secrets again with it\n",
					filepath.Join(cfg.DataDir, "sealing"), filepath.Join(cfg.DataDir, "sealing", gitops.RetiredDir))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&sealingKey, "sealing-key", false, "also replace the local key pair that seals the GitOps repository's Secrets (without --sealing-cert)")
	return cmd
}
