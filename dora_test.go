package paved

import (
	"strings"
	"testing"
	"time"
)

func TestDORABands(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name string
		got  DORABand
		want DORABand
	}{
		{"two a day", DeploymentFrequencyBand(2), BandElite},
		{"once a day", DeploymentFrequencyBand(1), BandHigh},
		{"once a week", DeploymentFrequencyBand(1.0 / 7), BandHigh},
		{"twice a month", DeploymentFrequencyBand(2.0 / 30), BandMedium},
		{"once a month", DeploymentFrequencyBand(1.0 / 30), BandMedium},
		{"once a quarter", DeploymentFrequencyBand(1.0 / 90), BandLow},
		{"none", DeploymentFrequencyBand(0), BandLow},
		{"lead 23h", LeadTimeBand(23 * h), BandElite},
		{"lead 1d", LeadTimeBand(24 * h), BandHigh},
		{"lead 8d", LeadTimeBand(8 * 24 * h), BandMedium},
		{"lead 31d", LeadTimeBand(31 * 24 * h), BandLow},
		{"cfr 0", ChangeFailRateBand(0), BandElite},
		{"cfr 5%", ChangeFailRateBand(0.05), BandElite},
		{"cfr 7.5%", ChangeFailRateBand(0.075), BandHigh},
		{"cfr 14.9%", ChangeFailRateBand(0.149), BandHigh},
		{"cfr 15.1% (no better than 14.9%)", ChangeFailRateBand(0.151), BandHigh},
		{"cfr 20%", ChangeFailRateBand(0.20), BandHigh},
		{"cfr 31%", ChangeFailRateBand(0.31), BandLow},
		{"recovery 59m", RecoveryTimeBand(59 * time.Minute), BandElite},
		{"recovery 1h", RecoveryTimeBand(h), BandHigh},
		{"recovery 2d", RecoveryTimeBand(48 * h), BandLow},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseDORAWindow(t *testing.T) {
	d := 24 * time.Hour
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"", 90 * d, ""}, {"90d", 90 * d, ""}, {"12w", 84 * d, ""}, {"1y", 365 * d, ""}, {"720h", 30 * d, ""},
		{"1h", 0, "outside 1d to 1098d"}, {"4y", 0, "outside"}, {"0d", 0, "not a duration"}, {"soon", 0, "not a duration"}, {"d", 0, "not a duration"},
	} {
		got, err := ParseDORAWindow(tt.in)
		if tt.err != "" {
			if err == nil || ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDORAWindow(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDORAWindow(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestMeasuredEnvType(t *testing.T) {
	all := []EnvType{EnvEphemeral, EnvDevelopment, EnvStaging, EnvProduction}
	for _, tt := range []struct {
		deployed []EnvType
		mvp      bool
		want     EnvType
	}{
		{all, true, EnvStaging}, {all, false, EnvProduction}, {[]EnvType{EnvEphemeral, EnvDevelopment}, true, EnvDevelopment},
		{[]EnvType{EnvProduction}, true, EnvStaging}, {nil, false, EnvProduction}, {nil, true, EnvStaging},
		// Out of MVP mode DORA measures production, deployed to or not.
		{[]EnvType{EnvDevelopment, EnvStaging}, false, EnvProduction},
	} {
		if got, why := MeasuredEnvType(tt.deployed, tt.mvp); got != tt.want || why == "" {
			t.Errorf("MeasuredEnvType(%v, %v) = %s (%q), want %s", tt.deployed, tt.mvp, got, why, tt.want)
		}
	}
}
