"""One thin router per resource: parse, call the domain, return the wire model."""
