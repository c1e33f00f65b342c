"""The AWS Bedrock front door: model customization jobs, custom models, deployments, runtime."""
