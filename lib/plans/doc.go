// Package plans builds the notebooks' sweep specs from lib/settings' table
// (sizes, fractions, seeds and networks per profile; every network's
// recipe), picks the datasets present here, and describes the plans.
package plans
