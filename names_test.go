package paved

import (
	"strings"
	"testing"
)

func TestDNSLabel(t *testing.T) {
	long := strings.Repeat("a", 70)
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"postgres", "web.db"}, "postgres-web-db"},
		{[]string{"Shop_App", "Dev"}, "shop-app-dev"},
		{[]string{"--a--", "b"}, "a-b"},
		{[]string{"", ""}, "x"},
		{[]string{long}, strings.Repeat("a", 54) + "-"},
	}
	for _, tt := range tests {
		got := DNSLabel(tt.in...)
		if !strings.HasPrefix(got, tt.want) || len(got) > 63 {
			t.Errorf("DNSLabel(%q) = %q, want %q...", tt.in, got, tt.want)
		}
	}
	if DNSLabel(long+"1") == DNSLabel(long+"2") {
		t.Error("two long names that differ only past the cut got the same label")
	}
}
