package models

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The PyTorch training peer (bench/peer/train_cifar.py) builds the same
// CIFAR ResNets: equal parameter counts, counted by PyTorch itself. It once
// built 8 blocks per stage for resnet8 (a ResNet-50) after its network's
// argument changed from depth to blocks, and nothing said so. Runs where
// Debian's python3-torch is installed; skips, saying why, elsewhere.
func TestPyTorchPeerBuildsTheSameNetworks(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		t.Skipf("no PyTorch peer here (%s -c 'import torch': %v; Debian's python3-torch provides it)", python, err)
	}
	b := goBackend(t)
	for _, name := range []string{"resnet8", "resnet20", "resnet56"} {
		out, err := exec.Command(python, "../../bench/peer/train_cifar.py", "--data", "unused", "--model", name, "--count-parameters").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		// "resnet8: 78042 parameters"
		fields := strings.Fields(string(out))
		if len(fields) != 3 || fields[0] != name+":" || fields[2] != "parameters" {
			t.Fatalf("%s: unexpected output %q", name, out)
		}
		peer, err := strconv.Atoi(fields[1])
		if err != nil {
			t.Fatalf("%s: %q: %v", name, out, err)
		}
		if got := countParams(t, b, name, 10, 32); got != peer {
			t.Errorf("%s: %d parameters here, %d in the PyTorch peer", name, got, peer)
		}
	}
}
