"""Bedrock's wire shapes, named after botocore's service models (`bedrock` 2023-04-20 and
`bedrock-runtime` 2023-09-30). camelCase on the wire, as AWS sends it; timestamps ISO-8601."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

CustomizationType = Literal[
    "FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION", "REINFORCEMENT_FINE_TUNING", "IMPORTED"
]
ModelCustomizationJobStatus = Literal["InProgress", "Completed", "Failed", "Stopping", "Stopped"]
JobStatusDetails = Literal["InProgress", "Completed", "Stopping", "Stopped", "Failed", "NotStarted"]
StopReason = Literal["end_turn", "max_tokens", "stop_sequence"]


class AwsRequest(BaseModel):
    """A request body: every member botocore's model has is declared; others are refused."""

    model_config = ConfigDict(extra="forbid")


class AwsResponse(BaseModel):
    """A response body."""


class Tag(AwsRequest):
    """A resource tag (accepted and ignored)."""

    key: str = Field(description="The tag's key.")
    value: str = Field(description="The tag's value.")


class TrainingDataConfig(AwsRequest):
    """Where the training data is."""

    s3Uri: str | None = Field(None, description="`s3://bucket/key` of the JSONL file.")
    invocationLogsConfig: dict[str, JsonValue] | None = Field(
        None, description="Refused: training on invocation logs is not emulated."
    )


class Validator(AwsRequest):
    """One validation data set."""

    s3Uri: str = Field(description="`s3://bucket/key` of the JSONL file.")


class ValidationDataConfig(AwsRequest):
    """The validation data sets (Whetstone takes one)."""

    validators: list[Validator] = Field(description="The validation data sets.")


class OutputDataConfig(AwsRequest):
    """Where the job writes its metrics."""

    s3Uri: str = Field(description="`s3://bucket/prefix` the job's outputs go under.")


class VpcConfig(AwsRequest):
    """Accepted and ignored: there is no VPC to reach."""

    subnetIds: list[str] = Field(description="Ignored.")
    securityGroupIds: list[str] = Field(description="Ignored.")


class LambdaGraderConfig(AwsRequest):
    """The reward function of a reinforcement job."""

    lambdaArn: str = Field(
        description="An `s3://bucket/key.py` holding the Lambda's Python source (see docs)."
    )


class GraderConfig(AwsRequest):
    """The grader of a reinforcement job."""

    lambdaGrader: LambdaGraderConfig | None = Field(None, description="The Lambda grader.")


class RFTHyperParameters(AwsRequest):
    """Hyperparameters of a reinforcement job."""

    epochCount: int | None = Field(None, description="Passes over the prompts.")
    batchSize: int | None = Field(None, description="Prompts per step.")
    learningRate: float | None = Field(None, description="The absolute peak learning rate.")
    maxPromptLength: int | None = Field(None, description="Accepted and ignored.")
    trainingSamplePerPrompt: int | None = Field(None, description="Completions per prompt.")
    inferenceMaxTokens: int | None = Field(None, description="Tokens per completion.")
    reasoningEffort: str | None = Field(None, description="Accepted and echoed.")
    evalInterval: int | None = Field(None, description="Steps between evaluations.")


class RFTConfig(AwsRequest):
    """Reinforcement fine-tuning settings."""

    graderConfig: GraderConfig | None = Field(None, description="The grader.")
    hyperParameters: RFTHyperParameters | None = Field(None, description="Hyperparameters.")


class CustomizationConfig(AwsRequest):
    """Settings of the customization type."""

    distillationConfig: dict[str, JsonValue] | None = Field(
        None, description="Refused: distillation is not emulated."
    )
    rftConfig: RFTConfig | None = Field(None, description="Reinforcement fine-tuning.")


class CreateModelCustomizationJobRequest(AwsRequest):
    """CreateModelCustomizationJob's body."""

    jobName: str = Field(min_length=1, max_length=63, description="The job's name.")
    customModelName: str = Field(min_length=1, max_length=63, description="The model's name.")
    roleArn: str = Field(description="Recorded and echoed; no role is assumed.")
    clientRequestToken: str | None = Field(None, description="Idempotency token.")
    baseModelIdentifier: str = Field(description="Base model id or foundation-model ARN.")
    customizationType: CustomizationType | None = Field(None, description="Default FINE_TUNING.")
    customModelKmsKeyId: str | None = Field(None, description="Accepted and ignored.")
    jobTags: list[Tag] | None = Field(None, description="Accepted and ignored.")
    customModelTags: list[Tag] | None = Field(None, description="Accepted and ignored.")
    trainingDataConfig: TrainingDataConfig = Field(description="The training data.")
    validationDataConfig: ValidationDataConfig | None = Field(None, description="Validation.")
    outputDataConfig: OutputDataConfig = Field(description="Where outputs go.")
    hyperParameters: dict[str, str] | None = Field(None, description="Strings, as Bedrock's.")
    vpcConfig: VpcConfig | None = Field(None, description="Accepted and ignored.")
    customizationConfig: CustomizationConfig | None = Field(None, description="RFT settings.")


class CreateModelCustomizationJobResponse(AwsResponse):
    """CreateModelCustomizationJob's answer."""

    jobArn: str = Field(description="The job's ARN.")


class StatusDetail(AwsResponse):
    """One phase of a job (ValidationDetails, DataProcessingDetails, TrainingDetails)."""

    status: JobStatusDetails = Field(description="The phase's status.")
    creationTime: datetime | None = Field(None, description="When the phase began.")
    lastModifiedTime: datetime | None = Field(None, description="Last change of the phase.")


class StatusDetails(AwsResponse):
    """The phases of a job."""

    validationDetails: StatusDetail = Field(description="Validating the data.")
    dataProcessingDetails: StatusDetail = Field(description="Queued for a worker.")
    trainingDetails: StatusDetail = Field(description="Training.")


class TrainingMetrics(AwsResponse):
    """The last training loss."""

    trainingLoss: float | None = Field(None, description="The last step's training loss.")


class ValidatorMetric(AwsResponse):
    """The last validation loss."""

    validationLoss: float | None = Field(None, description="The last validation loss.")


class GetModelCustomizationJobResponse(AwsResponse):
    """GetModelCustomizationJob's answer."""

    jobArn: str
    jobName: str
    outputModelName: str
    outputModelArn: str | None = None
    clientRequestToken: str | None = None
    roleArn: str
    status: ModelCustomizationJobStatus
    statusDetails: StatusDetails
    failureMessage: str | None = None
    creationTime: datetime
    lastModifiedTime: datetime | None = None
    endTime: datetime | None = None
    baseModelArn: str
    hyperParameters: dict[str, str] | None = None
    trainingDataConfig: dict[str, JsonValue]
    validationDataConfig: dict[str, JsonValue]
    outputDataConfig: dict[str, JsonValue]
    customizationType: CustomizationType
    outputModelKmsKeyArn: str | None = None
    trainingMetrics: TrainingMetrics | None = None
    validationMetrics: list[ValidatorMetric] | None = None
    vpcConfig: dict[str, JsonValue] | None = None
    customizationConfig: dict[str, JsonValue] | None = None


class ModelCustomizationJobSummary(AwsResponse):
    """One job in ListModelCustomizationJobs."""

    jobArn: str
    baseModelArn: str
    jobName: str
    status: ModelCustomizationJobStatus
    statusDetails: StatusDetails
    lastModifiedTime: datetime | None = None
    creationTime: datetime
    endTime: datetime | None = None
    customModelArn: str | None = None
    customModelName: str | None = None
    customizationType: CustomizationType


class ListModelCustomizationJobsResponse(AwsResponse):
    """ListModelCustomizationJobs' answer."""

    nextToken: str | None = None
    modelCustomizationJobSummaries: list[ModelCustomizationJobSummary]


class GetCustomModelResponse(AwsResponse):
    """GetCustomModel's answer."""

    modelArn: str
    modelName: str
    jobName: str
    jobArn: str
    baseModelArn: str
    customizationType: CustomizationType
    hyperParameters: dict[str, str] | None = None
    trainingDataConfig: dict[str, JsonValue]
    validationDataConfig: dict[str, JsonValue] | None = None
    outputDataConfig: dict[str, JsonValue]
    trainingMetrics: TrainingMetrics | None = None
    validationMetrics: list[ValidatorMetric] | None = None
    creationTime: datetime
    customizationConfig: dict[str, JsonValue] | None = None
    modelStatus: Literal["Active", "Creating", "Failed"]
    failureMessage: str | None = None


class CustomModelSummary(AwsResponse):
    """One model in ListCustomModels."""

    modelArn: str
    modelName: str
    creationTime: datetime
    baseModelArn: str
    baseModelName: str
    customizationType: CustomizationType
    ownerAccountId: str
    modelStatus: Literal["Active", "Creating", "Failed"]


class ListCustomModelsResponse(AwsResponse):
    """ListCustomModels' answer."""

    nextToken: str | None = None
    modelSummaries: list[CustomModelSummary]


class CreateCustomModelDeploymentRequest(AwsRequest):
    """CreateCustomModelDeployment's body."""

    modelDeploymentName: str = Field(min_length=1, max_length=63, description="Its name.")
    modelArn: str = Field(description="The custom model's ARN.")
    description: str | None = Field(None, description="Recorded and echoed.")
    tags: list[Tag] | None = Field(None, description="Accepted and ignored.")
    clientRequestToken: str | None = Field(None, description="Idempotency token.")


class CreateCustomModelDeploymentResponse(AwsResponse):
    """CreateCustomModelDeployment's answer."""

    customModelDeploymentArn: str


class GetCustomModelDeploymentResponse(AwsResponse):
    """GetCustomModelDeployment's answer."""

    customModelDeploymentArn: str
    modelDeploymentName: str
    modelArn: str
    createdAt: datetime
    status: Literal["Creating", "Active", "Failed"]
    description: str | None = None
    lastUpdatedAt: datetime | None = None


class CustomModelDeploymentSummary(AwsResponse):
    """One deployment in ListCustomModelDeployments."""

    customModelDeploymentArn: str
    customModelDeploymentName: str
    modelArn: str
    createdAt: datetime
    status: Literal["Creating", "Active", "Failed"]
    lastUpdatedAt: datetime | None = None


class ListCustomModelDeploymentsResponse(AwsResponse):
    """ListCustomModelDeployments' answer."""

    nextToken: str | None = None
    modelDeploymentSummaries: list[CustomModelDeploymentSummary]


# -- runtime -----------------------------------------------------------------------------------


class ContentBlock(AwsRequest):
    """A block of a message; only `text` is served (others are refused by name)."""

    model_config = ConfigDict(extra="allow")

    text: str | None = Field(None, description="Text.")


class Message(AwsRequest):
    """A conversation turn."""

    role: Literal["user", "assistant"] = Field(description="Who speaks.")
    content: list[ContentBlock] = Field(description="The turn's blocks.")


class SystemContentBlock(AwsRequest):
    """A system prompt block."""

    model_config = ConfigDict(extra="allow")

    text: str | None = Field(None, description="Text.")


class InferenceConfiguration(AwsRequest):
    """Sampling settings."""

    maxTokens: int | None = Field(None, ge=1, description="Most tokens to generate.")
    temperature: float | None = Field(None, ge=0, le=1, description="Sampling temperature.")
    topP: float | None = Field(None, ge=0, le=1, description="Nucleus sampling.")
    stopSequences: list[str] | None = Field(None, description="Stop strings (at most 4).")


class ConverseRequest(AwsRequest):
    """Converse's and ConverseStream's body."""

    messages: list[Message] = Field(default_factory=list, description="The conversation.")
    system: list[SystemContentBlock] | None = Field(None, description="System prompt.")
    inferenceConfig: InferenceConfiguration | None = Field(None, description="Sampling.")
    toolConfig: dict[str, JsonValue] | None = Field(None, description="Refused.")
    guardrailConfig: dict[str, JsonValue] | None = Field(None, description="Refused.")
    additionalModelRequestFields: dict[str, JsonValue] | None = Field(None, description="Ignored.")
    promptVariables: dict[str, JsonValue] | None = Field(None, description="Refused.")
    additionalModelResponseFieldPaths: list[str] | None = Field(None, description="Ignored.")
    requestMetadata: dict[str, str] | None = Field(None, description="Ignored.")
    performanceConfig: dict[str, JsonValue] | None = Field(None, description="Ignored.")
    serviceTier: dict[str, JsonValue] | None = Field(None, description="Ignored.")
    outputConfig: dict[str, JsonValue] | None = Field(None, description="Refused.")
    projectIdentifier: str | None = Field(None, description="Ignored.")


class TokenUsage(AwsResponse):
    """Tokens in and out."""

    inputTokens: int
    outputTokens: int
    totalTokens: int


class ConverseMetrics(AwsResponse):
    """Latency of the call."""

    latencyMs: int


class OutputMessage(AwsResponse):
    """The reply."""

    role: Literal["assistant"] = "assistant"
    content: list[dict[str, str]]


class ConverseOutput(AwsResponse):
    """Converse's output union (a message)."""

    message: OutputMessage


class ConverseResponse(AwsResponse):
    """Converse's answer."""

    output: ConverseOutput
    stopReason: StopReason
    usage: TokenUsage
    metrics: ConverseMetrics
