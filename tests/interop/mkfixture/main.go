// Command mkfixture is the signing half of tests/interop/selftest.py.
// Python's standard library has no Ed25519, so the self-test computes the
// tree, tiles and bundles itself and asks this helper only for keys and
// note signatures (golang.org/x/mod/sumdb/note, v0.7.0).
//
//	mkfixture genkey NAME SEEDHEX   print "skey\nvkey\n" for a 32-byte seed
//	mkfixture sign SKEY [SKEY...]   sign the note text on stdin, print the note
package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "mkfixture: "+format+"\n", args...)
	os.Exit(1)
}

func genkey(name, seedHex string) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != 32 {
		die("seed must be 64 hex digits")
	}
	// GenerateKey draws exactly the 32-byte seed from its reader, so a
	// fixed reader gives a fixed key pair.
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), name)
	if err != nil {
		die("genkey: %v", err)
	}
	fmt.Printf("%s\n%s\n", skey, vkey)
}

func sign(skeys []string) {
	text, err := io.ReadAll(os.Stdin)
	if err != nil {
		die("reading stdin: %v", err)
	}
	var signers []note.Signer
	for _, k := range skeys {
		s, err := note.NewSigner(k)
		if err != nil {
			die("signer key: %v", err)
		}
		signers = append(signers, s)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signers...)
	if err != nil {
		die("sign: %v", err)
	}
	os.Stdout.Write(msg)
}

func main() {
	if len(os.Args) >= 2 {
		switch {
		case os.Args[1] == "genkey" && len(os.Args) == 4:
			genkey(os.Args[2], os.Args[3])
			return
		case os.Args[1] == "sign" && len(os.Args) >= 3:
			sign(os.Args[2:])
			return
		}
	}
	fmt.Fprintf(os.Stderr, "usage: mkfixture genkey NAME SEEDHEX | mkfixture sign SKEY... <text\n")
	os.Exit(2)
}
