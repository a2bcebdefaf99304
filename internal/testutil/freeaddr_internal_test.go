package testutil

import (
	"net"
	"strconv"
	"testing"
)

// FreeAddr's ports lie below the kernel's ephemeral range, which the
// kernel hands to every listener on ":0" and every outgoing connection,
// and are free to listen on.
func TestFreeAddrBelowEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	for range 50 {
		addr := FreeAddr(t)
		_, portText, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		port, err := strconv.Atoi(portText)
		if err != nil || port < firstTestPort || port >= low {
			t.Fatalf("FreeAddr gave %s, want a port in [%d, %d)", addr, firstTestPort, low)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listen on FreeAddr's %s: %v", addr, err)
		}
		ln.Close()
	}
}
