"""VQL: a faithful Python port of Velociraptor's query language front end and evaluator."""
