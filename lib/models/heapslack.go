package models

// Every program that builds a network links lib/backend, whose start-up maps
// the heap slack that keeps the over-reads of compute's SIMD kernels in mapped
// memory (GOEXPERIMENT=simd builds only; environment.md, "The SIMD crash").
// Without it, tests that open the backend directly (compute.NewWithConfig)
// would run unprotected.
import _ "beyondscaling/lib/backend"
