// Package plots makes paper-style figures with gonum/plot: one consistent
// style (fonts, sizes, line widths, colour maps for families of curves, log
// axes, error bars and bands, legends), written atomically as PDF, SVG and PNG
// together with a CSV of exactly the plotted numbers, and shown inline when
// running inside a GoNB notebook.
//
// A Figure is plain data (series and an optional heat map); Plot turns it
// into a *plot.Plot and Save writes the four files. Save and Show first run
// Check, which rejects a figure that would mislead or be clipped: a line
// whose x values do not increase, a title, axis label or legend that does
// not fit the canvas (measured with the figure's own fonts), or a legend
// over data. The legend is placed by the package, not by gonum: in the
// preferred corner if that covers no data, else in an empty corner, else
// outside the axes. A missing interval (a NaN error) draws no bar and is
// named by Figure.Caption.
//
// Montage draws examples of a dataset per class (a Picture with row
// labels), with a CSV naming the example in each cell.
package plots
