// Package plots makes paper-style figures with gonum/plot: one consistent
// style (fonts, sizes, line widths, colour maps for families of curves, log
// axes, error bars and bands, legends), written atomically as PDF, SVG and PNG
// together with a CSV of exactly the plotted numbers, and shown inline when
// running inside a GoNB notebook.
//
// A Figure is plain data (series and an optional heat map); Plot turns it
// into a *plot.Plot and Save writes the four files.
package plots
