package observability

// Sample is sample, for the tests outside the package.
var Sample = sample
