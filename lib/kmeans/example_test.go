package kmeans_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"beyondscaling/lib/kmeans"
)

// Cluster six embeddings by direction (spherical k-means): three point
// along the first axis, three along the second. Lengths do not matter.
func ExampleCluster() {
	x := mat.NewDense(6, 2, []float64{
		1, 0.1,
		1, -0.1,
		2, 0,
		0, 1,
		0.1, 1,
		-0.1, 2,
	})
	r, err := kmeans.Cluster(x, kmeans.Options{K: 2, Seed: 1})
	if err != nil {
		panic(err)
	}
	a := r.Assign
	fmt.Println("first three together:", a[0] == a[1] && a[1] == a[2])
	fmt.Println("last three together:", a[3] == a[4] && a[4] == a[5])
	fmt.Println("two groups apart:", a[0] != a[3])
	fmt.Printf("cosine distance of (1, 0.1) to its centroid: %.4f\n", r.Dist[0])
	// Output:
	// first three together: true
	// last three together: true
	// two groups apart: true
	// cosine distance of (1, 0.1) to its centroid: 0.0050
}
