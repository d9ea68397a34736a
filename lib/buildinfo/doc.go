// Package buildinfo says which code produced a result: the VCS revision the
// running binary was built from. Caches record it and warn, naming both
// versions, when a cached result was made by other code.
package buildinfo
