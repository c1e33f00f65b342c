"""Google's front door: Vertex AI tuning jobs, generateContent and the token route."""
