"""Wire models named after OpenAI's objects."""
