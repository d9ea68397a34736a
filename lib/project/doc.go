// Package project answers the questions about where the project runs that
// the notebooks, the command and the caches share:
//
//   - which profile (scale) runs: smoke (tests: seconds per notebook), cpu
//     (the default without a GPU: the whole main job within an hour on 2
//     cores) or paper (the paper's scale, the default where an NVIDIA GPU
//     answers), from the environment variable PRUNE_PROFILE (profile.go);
//   - whether the machine has an NVIDIA GPU (gpu.go), for the default
//     profile and the default backend;
//   - where the project's folders are (paths.go): the repository root, the
//     figures folder (out/figures while working; the committed gallery
//     figures/ when the main job asks for it), data/ (the download cache)
//     and out/ (executed notebooks and run records), each overridable by an
//     environment variable so tests and notebooks can redirect them;
//   - which code produced a result (revision.go): the VCS revision, which
//     caches record so that they warn, naming both versions, when a cached
//     result was made by other code.
package project
