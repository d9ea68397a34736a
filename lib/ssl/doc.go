// Package ssl learns self-supervised embeddings of unlabelled images
// (SimCLR), for the ssl-prototypes pruning metric.
package ssl
