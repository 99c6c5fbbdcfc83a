package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"paved.dev/paved"
)

// chromiumNames are the commands Chromium goes by; PAVED_CHROMIUM names
// one elsewhere.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findChromium finds the browser that prints PDFs.
func findChromium() (string, error) {
	if p := os.Getenv("PAVED_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", paved.Errorf(paved.EINVALID, "PAVED_CHROMIUM: %v; give the path of a Chromium or Chrome binary", err)
		}
		return p, nil
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", paved.Errorf(paved.EUNAVAILABLE, "a PDF is printed by headless Chromium, which is not installed: install it (apt-get install chromium, "+
		"dnf install chromium, brew install --cask chromium) or set PAVED_CHROMIUM to its path; or write HTML instead (-o report.html)")
}

// pdfTimeout bounds the browser's start, load and print.
const pdfTimeout = 90 * time.Second

// htmlToPDF prints a self-contained HTML document to A4 PDF with headless
// Chromium: a fresh profile, the network unused (the document refers to
// nothing outside itself), no sandbox (containers and CI have none).
func htmlToPDF(ctx context.Context, html []byte) ([]byte, error) {
	bin, err := findChromium()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "paved-pdf-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	defer cancelAlloc()
	bctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	// The first run starts the browser; its context must not time out
	// (that would stop the browser), so the bound is on the steps.
	if err := chromedp.Do(bctx); err != nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "starting Chromium (%s): %v", bin, err)
	}
	tctx, cancel := context.WithTimeout(bctx, pdfTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	u := (&url.URL{Scheme: "file", Path: file}).String()
	if _, err := chromedp.Run(tctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(u))); err != nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "Chromium loading the report: %v", err)
	}
	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0.5), chromedp.PDFPrintBackground()))
	if err != nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "Chromium printing the report: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		return nil, fmt.Errorf("chromium printed something that is not a PDF (%d bytes)", len(pdf))
	}
	return pdf, nil
}
