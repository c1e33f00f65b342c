"""Contains all the data models used in inputs/outputs"""

from .body_files_create import BodyFilesCreate
from .body_files_create_purpose import BodyFilesCreatePurpose
from .body_uploads_add_part import BodyUploadsAddPart
from .chat_completion import ChatCompletion
from .chat_completion_choice import ChatCompletionChoice
from .chat_completion_choice_finish_reason import ChatCompletionChoiceFinishReason
from .chat_completion_chunk import ChatCompletionChunk
from .chat_completion_chunk_choice import ChatCompletionChunkChoice
from .chat_completion_chunk_choice_finish_reason_type_0 import ChatCompletionChunkChoiceFinishReasonType0
from .chat_completion_content_part import ChatCompletionContentPart
from .chat_completion_message import ChatCompletionMessage
from .chat_completion_metadata_type_0 import ChatCompletionMetadataType0
from .chat_completion_request_message import ChatCompletionRequestMessage
from .chat_completion_request_message_audio_type_0 import ChatCompletionRequestMessageAudioType0
from .chat_completion_request_message_function_call_type_0 import ChatCompletionRequestMessageFunctionCallType0
from .chat_completion_request_message_role import ChatCompletionRequestMessageRole
from .chat_completion_request_message_tool_calls_type_0_item import ChatCompletionRequestMessageToolCallsType0Item
from .chat_completion_token_logprob import ChatCompletionTokenLogprob
from .choice_delta import ChoiceDelta
from .choice_logprobs import ChoiceLogprobs
from .complete_upload_request import CompleteUploadRequest
from .completion import Completion
from .completion_choice import CompletionChoice
from .completion_choice_finish_reason_type_0 import CompletionChoiceFinishReasonType0
from .completion_logprobs import CompletionLogprobs
from .completion_logprobs_top_logprobs_type_0_item import CompletionLogprobsTopLogprobsType0Item
from .completion_usage import CompletionUsage
from .create_chat_completion_request import CreateChatCompletionRequest
from .create_chat_completion_request_audio_type_0 import CreateChatCompletionRequestAudioType0
from .create_chat_completion_request_function_call_type_1 import CreateChatCompletionRequestFunctionCallType1
from .create_chat_completion_request_functions_type_0_item import CreateChatCompletionRequestFunctionsType0Item
from .create_chat_completion_request_logit_bias_type_0 import CreateChatCompletionRequestLogitBiasType0
from .create_chat_completion_request_metadata_type_0 import CreateChatCompletionRequestMetadataType0
from .create_chat_completion_request_moderation_type_0 import CreateChatCompletionRequestModerationType0
from .create_chat_completion_request_prediction_type_0 import CreateChatCompletionRequestPredictionType0
from .create_chat_completion_request_prompt_cache_options_type_0 import (
    CreateChatCompletionRequestPromptCacheOptionsType0,
)
from .create_chat_completion_request_response_format_type_0 import CreateChatCompletionRequestResponseFormatType0
from .create_chat_completion_request_tool_choice_type_1 import CreateChatCompletionRequestToolChoiceType1
from .create_chat_completion_request_tools_type_0_item import CreateChatCompletionRequestToolsType0Item
from .create_chat_completion_request_web_search_options_type_0 import CreateChatCompletionRequestWebSearchOptionsType0
from .create_completion_request import CreateCompletionRequest
from .create_completion_request_logit_bias_type_0 import CreateCompletionRequestLogitBiasType0
from .create_fine_tuning_job_request import CreateFineTuningJobRequest
from .create_fine_tuning_job_request_metadata_type_0 import CreateFineTuningJobRequestMetadataType0
from .create_upload_request import CreateUploadRequest
from .create_upload_request_purpose import CreateUploadRequestPurpose
from .delete_file_response import DeleteFileResponse
from .error import Error
from .error_response import ErrorResponse
from .eval_item import EvalItem
from .eval_item_content_output_text import EvalItemContentOutputText
from .eval_item_input_image import EvalItemInputImage
from .eval_item_role import EvalItemRole
from .file_expiration_after import FileExpirationAfter
from .files_list_order import FilesListOrder
from .fine_tune_dpo_hyperparameters import FineTuneDPOHyperparameters
from .fine_tune_dpo_hyperparameters_batch_size_type_0 import FineTuneDPOHyperparametersBatchSizeType0
from .fine_tune_dpo_hyperparameters_beta_type_0 import FineTuneDPOHyperparametersBetaType0
from .fine_tune_dpo_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneDPOHyperparametersLearningRateMultiplierType0,
)
from .fine_tune_dpo_hyperparameters_n_epochs_type_0 import FineTuneDPOHyperparametersNEpochsType0
from .fine_tune_dpo_method import FineTuneDPOMethod
from .fine_tune_method import FineTuneMethod
from .fine_tune_method_type import FineTuneMethodType
from .fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters
from .fine_tune_reinforcement_hyperparameters_batch_size_type_0 import (
    FineTuneReinforcementHyperparametersBatchSizeType0,
)
from .fine_tune_reinforcement_hyperparameters_compute_multiplier_type_0 import (
    FineTuneReinforcementHyperparametersComputeMultiplierType0,
)
from .fine_tune_reinforcement_hyperparameters_eval_interval_type_0 import (
    FineTuneReinforcementHyperparametersEvalIntervalType0,
)
from .fine_tune_reinforcement_hyperparameters_eval_samples_type_0 import (
    FineTuneReinforcementHyperparametersEvalSamplesType0,
)
from .fine_tune_reinforcement_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneReinforcementHyperparametersLearningRateMultiplierType0,
)
from .fine_tune_reinforcement_hyperparameters_n_epochs_type_0 import FineTuneReinforcementHyperparametersNEpochsType0
from .fine_tune_reinforcement_hyperparameters_reasoning_effort import (
    FineTuneReinforcementHyperparametersReasoningEffort,
)
from .fine_tune_reinforcement_method import FineTuneReinforcementMethod
from .fine_tune_reinforcement_method_grader_type_0 import FineTuneReinforcementMethodGraderType0
from .fine_tune_supervised_hyperparameters import FineTuneSupervisedHyperparameters
from .fine_tune_supervised_hyperparameters_batch_size_type_0 import FineTuneSupervisedHyperparametersBatchSizeType0
from .fine_tune_supervised_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneSupervisedHyperparametersLearningRateMultiplierType0,
)
from .fine_tune_supervised_hyperparameters_n_epochs_type_0 import FineTuneSupervisedHyperparametersNEpochsType0
from .fine_tune_supervised_method import FineTuneSupervisedMethod
from .fine_tuning_integration import FineTuningIntegration
from .fine_tuning_job import FineTuningJob
from .fine_tuning_job_checkpoint import FineTuningJobCheckpoint
from .fine_tuning_job_checkpoint_metrics import FineTuningJobCheckpointMetrics
from .fine_tuning_job_error import FineTuningJobError
from .fine_tuning_job_event import FineTuningJobEvent
from .fine_tuning_job_event_data import FineTuningJobEventData
from .fine_tuning_job_event_level import FineTuningJobEventLevel
from .fine_tuning_job_event_type import FineTuningJobEventType
from .fine_tuning_job_hyperparameters import FineTuningJobHyperparameters
from .fine_tuning_job_hyperparameters_batch_size_type_0 import FineTuningJobHyperparametersBatchSizeType0
from .fine_tuning_job_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuningJobHyperparametersLearningRateMultiplierType0,
)
from .fine_tuning_job_hyperparameters_n_epochs_type_0 import FineTuningJobHyperparametersNEpochsType0
from .fine_tuning_job_metadata_type_0 import FineTuningJobMetadataType0
from .fine_tuning_job_status import FineTuningJobStatus
from .fine_tuning_jobs_list_metadata import FineTuningJobsListMetadata
from .input_audio import InputAudio
from .input_audio_data import InputAudioData
from .input_audio_data_format import InputAudioDataFormat
from .input_text_content import InputTextContent
from .input_text_content_prompt_cache_breakpoint_type_0 import InputTextContentPromptCacheBreakpointType0
from .label_model_grader import LabelModelGrader
from .legacy_hyperparameters import LegacyHyperparameters
from .legacy_hyperparameters_batch_size_type_0 import LegacyHyperparametersBatchSizeType0
from .legacy_hyperparameters_learning_rate_multiplier_type_0 import LegacyHyperparametersLearningRateMultiplierType0
from .legacy_hyperparameters_n_epochs_type_0 import LegacyHyperparametersNEpochsType0
from .list_files_response import ListFilesResponse
from .list_fine_tuning_job_checkpoints_response import ListFineTuningJobCheckpointsResponse
from .list_fine_tuning_job_events_response import ListFineTuningJobEventsResponse
from .list_paginated_fine_tuning_jobs_response import ListPaginatedFineTuningJobsResponse
from .model import Model
from .model_deleted import ModelDeleted
from .model_list import ModelList
from .multi_grader import MultiGrader
from .multi_grader_graders_type_1 import MultiGraderGradersType1
from .open_ai_file import OpenAIFile
from .open_ai_file_purpose import OpenAIFilePurpose
from .open_ai_file_status import OpenAIFileStatus
from .python_grader import PythonGrader
from .run_grader_errors import RunGraderErrors
from .run_grader_metadata import RunGraderMetadata
from .run_grader_metadata_scores import RunGraderMetadataScores
from .run_grader_request import RunGraderRequest
from .run_grader_request_item_type_0 import RunGraderRequestItemType0
from .run_grader_response import RunGraderResponse
from .run_grader_response_model_grader_token_usage_per_model import RunGraderResponseModelGraderTokenUsagePerModel
from .run_grader_response_sub_rewards import RunGraderResponseSubRewards
from .score_model_grader import ScoreModelGrader
from .score_model_sampling_params import ScoreModelSamplingParams
from .stream_options import StreamOptions
from .string_check_grader import StringCheckGrader
from .string_check_grader_operation import StringCheckGraderOperation
from .text_similarity_grader import TextSimilarityGrader
from .text_similarity_grader_evaluation_metric import TextSimilarityGraderEvaluationMetric
from .top_logprob import TopLogprob
from .upload import Upload
from .upload_part import UploadPart
from .upload_status import UploadStatus
from .validate_grader_request import ValidateGraderRequest
from .validate_grader_response import ValidateGraderResponse
from .wandb_integration import WandbIntegration

__all__ = (
    "BodyFilesCreate",
    "BodyFilesCreatePurpose",
    "BodyUploadsAddPart",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChoiceFinishReason",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionChunkChoiceFinishReasonType0",
    "ChatCompletionContentPart",
    "ChatCompletionMessage",
    "ChatCompletionMetadataType0",
    "ChatCompletionRequestMessage",
    "ChatCompletionRequestMessageAudioType0",
    "ChatCompletionRequestMessageFunctionCallType0",
    "ChatCompletionRequestMessageRole",
    "ChatCompletionRequestMessageToolCallsType0Item",
    "ChatCompletionTokenLogprob",
    "ChoiceDelta",
    "ChoiceLogprobs",
    "CompleteUploadRequest",
    "Completion",
    "CompletionChoice",
    "CompletionChoiceFinishReasonType0",
    "CompletionLogprobs",
    "CompletionLogprobsTopLogprobsType0Item",
    "CompletionUsage",
    "CreateChatCompletionRequest",
    "CreateChatCompletionRequestAudioType0",
    "CreateChatCompletionRequestFunctionCallType1",
    "CreateChatCompletionRequestFunctionsType0Item",
    "CreateChatCompletionRequestLogitBiasType0",
    "CreateChatCompletionRequestMetadataType0",
    "CreateChatCompletionRequestModerationType0",
    "CreateChatCompletionRequestPredictionType0",
    "CreateChatCompletionRequestPromptCacheOptionsType0",
    "CreateChatCompletionRequestResponseFormatType0",
    "CreateChatCompletionRequestToolChoiceType1",
    "CreateChatCompletionRequestToolsType0Item",
    "CreateChatCompletionRequestWebSearchOptionsType0",
    "CreateCompletionRequest",
    "CreateCompletionRequestLogitBiasType0",
    "CreateFineTuningJobRequest",
    "CreateFineTuningJobRequestMetadataType0",
    "CreateUploadRequest",
    "CreateUploadRequestPurpose",
    "DeleteFileResponse",
    "Error",
    "ErrorResponse",
    "EvalItem",
    "EvalItemContentOutputText",
    "EvalItemInputImage",
    "EvalItemRole",
    "FileExpirationAfter",
    "FilesListOrder",
    "FineTuneDPOHyperparameters",
    "FineTuneDPOHyperparametersBatchSizeType0",
    "FineTuneDPOHyperparametersBetaType0",
    "FineTuneDPOHyperparametersLearningRateMultiplierType0",
    "FineTuneDPOHyperparametersNEpochsType0",
    "FineTuneDPOMethod",
    "FineTuneMethod",
    "FineTuneMethodType",
    "FineTuneReinforcementHyperparameters",
    "FineTuneReinforcementHyperparametersBatchSizeType0",
    "FineTuneReinforcementHyperparametersComputeMultiplierType0",
    "FineTuneReinforcementHyperparametersEvalIntervalType0",
    "FineTuneReinforcementHyperparametersEvalSamplesType0",
    "FineTuneReinforcementHyperparametersLearningRateMultiplierType0",
    "FineTuneReinforcementHyperparametersNEpochsType0",
    "FineTuneReinforcementHyperparametersReasoningEffort",
    "FineTuneReinforcementMethod",
    "FineTuneReinforcementMethodGraderType0",
    "FineTuneSupervisedHyperparameters",
    "FineTuneSupervisedHyperparametersBatchSizeType0",
    "FineTuneSupervisedHyperparametersLearningRateMultiplierType0",
    "FineTuneSupervisedHyperparametersNEpochsType0",
    "FineTuneSupervisedMethod",
    "FineTuningIntegration",
    "FineTuningJob",
    "FineTuningJobCheckpoint",
    "FineTuningJobCheckpointMetrics",
    "FineTuningJobError",
    "FineTuningJobEvent",
    "FineTuningJobEventData",
    "FineTuningJobEventLevel",
    "FineTuningJobEventType",
    "FineTuningJobHyperparameters",
    "FineTuningJobHyperparametersBatchSizeType0",
    "FineTuningJobHyperparametersLearningRateMultiplierType0",
    "FineTuningJobHyperparametersNEpochsType0",
    "FineTuningJobMetadataType0",
    "FineTuningJobsListMetadata",
    "FineTuningJobStatus",
    "InputAudio",
    "InputAudioData",
    "InputAudioDataFormat",
    "InputTextContent",
    "InputTextContentPromptCacheBreakpointType0",
    "LabelModelGrader",
    "LegacyHyperparameters",
    "LegacyHyperparametersBatchSizeType0",
    "LegacyHyperparametersLearningRateMultiplierType0",
    "LegacyHyperparametersNEpochsType0",
    "ListFilesResponse",
    "ListFineTuningJobCheckpointsResponse",
    "ListFineTuningJobEventsResponse",
    "ListPaginatedFineTuningJobsResponse",
    "Model",
    "ModelDeleted",
    "ModelList",
    "MultiGrader",
    "MultiGraderGradersType1",
    "OpenAIFile",
    "OpenAIFilePurpose",
    "OpenAIFileStatus",
    "PythonGrader",
    "RunGraderErrors",
    "RunGraderMetadata",
    "RunGraderMetadataScores",
    "RunGraderRequest",
    "RunGraderRequestItemType0",
    "RunGraderResponse",
    "RunGraderResponseModelGraderTokenUsagePerModel",
    "RunGraderResponseSubRewards",
    "ScoreModelGrader",
    "ScoreModelSamplingParams",
    "StreamOptions",
    "StringCheckGrader",
    "StringCheckGraderOperation",
    "TextSimilarityGrader",
    "TextSimilarityGraderEvaluationMetric",
    "TopLogprob",
    "Upload",
    "UploadPart",
    "UploadStatus",
    "ValidateGraderRequest",
    "ValidateGraderResponse",
    "WandbIntegration",
)
