"""Chat and legacy completions: request -> SamplingParams -> engine, whole or as SSE."""
