"""Fine-tuning jobs: /v1/fine_tuning/jobs, their events, checkpoints and the job state machine."""
