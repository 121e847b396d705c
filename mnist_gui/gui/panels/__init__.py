"""One panel per file; each shows the plain data it is given and emits what the user did."""
