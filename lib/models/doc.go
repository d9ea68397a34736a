// Package models holds the GoMLX network building blocks of the project.
//
// It starts with convolution: the pure-Go backend's built-in Convolve is a
// direct loop that trains about 10x slower than an im2col formulation, so
// Conv2D offers both and picks by backend (ConvFor). The ResNets and the
// training engine build on it.
package models
