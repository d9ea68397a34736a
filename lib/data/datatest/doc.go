// Package datatest makes small synthetic datasets for the tests and
// examples of other packages. It lives apart from package data because no
// research code path reads synthetic images: keeping them here keeps
// package data's API to the datasets a researcher actually loads.
package datatest
