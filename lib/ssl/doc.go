// Package ssl learns self-supervised embeddings of unlabelled images
// (SimCLR), for the ssl-prototypes pruning metric; the encoder trains
// through lib/train's loop with SimCLR's loss as its objective.
package ssl
