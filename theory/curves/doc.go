// Package curves computes and draws the perceptron-theory figures of the
// paper (Figs. 1 and 2) and the teaching figures: the numbers come from
// package theory (replica theory) and theory/simulate (teacher-student
// simulations); the drawings are plots.Figure values. Notebooks choose a
// Plan (PlanFor gives the defaults of each profile), call the Compute
// functions and save the figures; nothing else happens in the notebook.
package curves
