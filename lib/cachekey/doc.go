// Package cachekey makes the keys of the project's caches (run records,
// trained networks, probe networks, score files, embeddings) from their
// contents, so that a cache never serves a result computed for another
// configuration: Hash digests a value's canonical JSON, HashStrings a list
// of example IDs in order. When nothing cached fits, Diff and ClosestKey
// say which fields of the closest stored key differ.
package cachekey
