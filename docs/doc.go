// Package docs holds the repository's documents (docs/*.md); its test keeps the wording of tracked files about the project alone.
package docs
