package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/server"
)

func newBackupCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup -o FILE",
		Short: "Download a backup of a running server: its SQLite store and its GitOps repository (admins)",
		Long: `backup asks the server for a consistent copy of its data while it keeps
serving: the SQLite store (an online copy, VACUUM INTO) and the local GitOps
repository with its history, as one gzip-compressed tar. The download is
read back to its end before it is kept: FILE is written only when the
archive is whole. FILE must not exist.

The secret key (secret.key or PAVED_SECRET_KEY) and the GitOps sealing key
pair (sealing/) are never in a backup: back them up apart, as a backup
without the key cannot open the secrets it holds. A server on PostgreSQL
refuses: back it up with pg_dump (docs/reliability.md#backups). Restore with
paved restore.`,
		Example: `  paved backup -o paved-$(date +%F).tar.gz
  paved backup -o /backups/paved.tar.gz --server https://paved.example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(out); err == nil {
				return paved.Errorf(paved.ECONFLICT, "--output %s exists already: give a new file", out)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			partial := out + ".partial"
			f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return paved.Errorf(paved.EINVALID, "--output: %v", err)
			}
			defer os.Remove(partial)
			err = c.Backup(cmd.Context(), f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := checkArchive(partial); err != nil {
				return err
			}
			if err := os.Rename(partial, out); err != nil {
				return err
			}
			st, _ := os.Stat(out)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the backup to %s (%d bytes); back up the secret key apart\n", out, st.Size())
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write the backup archive to (must not exist)")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

func checkArchive(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := server.CheckBackup(f); err != nil {
		return paved.Errorf(paved.EUNAVAILABLE, "the downloaded backup is not whole (%s): try again", paved.ErrorMessage(err))
	}
	return nil
}

func newRestoreCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "restore --data-dir DIR FILE",
		Short: "Restore a backup (paved backup) into a new data directory",
		Long: `restore writes a backup archive made by paved backup into DIR, a new data
directory (it must hold no store yet): the SQLite store and the GitOps
repository. Deployments that were queued or running when the backup was
taken are failed, saying so. Nothing is served: start paved server
--data-dir DIR afterwards, with the secret key of the server the backup
came from (copy secret.key, and sealing/ for the GitOps repository's
Secrets, into DIR; or set PAVED_SECRET_KEY).`,
		Example: `  paved restore --data-dir ./paved-data paved-2026-12-03.tar.gz
  cp old-data/secret.key ./paved-data/ && paved server --data-dir ./paved-data`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return paved.Errorf(paved.EINVALID, "backup file: %v", err)
			}
			defer f.Close()
			failed, err := server.Restore(cmd.Context(), dir, f)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "restored %s into %s", args[0], dir)
			if failed > 0 {
				fmt.Fprintf(w, "; %d deployment(s) unfinished in the backup were failed", failed)
			}
			fmt.Fprintf(w, "\nbefore paved server --data-dir %s: copy the secret key (%s) and sealing/ from the old data dir, or set PAVED_SECRET_KEY\n",
				dir, filepath.Join(dir, "secret.key"))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "data-dir", "", "the new data directory to restore into")
	_ = cmd.MarkFlagRequired("data-dir")
	return cmd
}
