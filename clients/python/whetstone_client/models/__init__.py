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
from .chat_completion_message_tool_call import ChatCompletionMessageToolCall
from .chat_completion_metadata_type_0 import ChatCompletionMetadataType0
from .chat_completion_request_message import ChatCompletionRequestMessage
from .chat_completion_request_message_audio_type_0 import ChatCompletionRequestMessageAudioType0
from .chat_completion_request_message_function_call_type_0 import ChatCompletionRequestMessageFunctionCallType0
from .chat_completion_request_message_role import ChatCompletionRequestMessageRole
from .chat_completion_request_message_tool_calls_type_0_item import ChatCompletionRequestMessageToolCallsType0Item
from .chat_completion_token_logprob import ChatCompletionTokenLogprob
from .choice_delta import ChoiceDelta
from .choice_delta_function_call import ChoiceDeltaFunctionCall
from .choice_delta_tool_call import ChoiceDeltaToolCall
from .choice_logprobs import ChoiceLogprobs
from .complete_upload_request import CompleteUploadRequest
from .completion import Completion
from .completion_choice import CompletionChoice
from .completion_choice_finish_reason_type_0 import CompletionChoiceFinishReasonType0
from .completion_logprobs import CompletionLogprobs
from .completion_logprobs_top_logprobs_type_0_item import CompletionLogprobsTopLogprobsType0Item
from .completion_usage import CompletionUsage
from .content_row import ContentRow
from .content_row_item import ContentRowItem
from .content_row_sample_type_0 import ContentRowSampleType0
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
from .create_eval_completions_run_data_source import CreateEvalCompletionsRunDataSource
from .create_eval_custom_data_source_config import CreateEvalCustomDataSourceConfig
from .create_eval_custom_data_source_config_item_schema import CreateEvalCustomDataSourceConfigItemSchema
from .create_eval_jsonl_run_data_source import CreateEvalJsonlRunDataSource
from .create_eval_logs_data_source_config import CreateEvalLogsDataSourceConfig
from .create_eval_logs_data_source_config_metadata_type_0 import CreateEvalLogsDataSourceConfigMetadataType0
from .create_eval_request import CreateEvalRequest
from .create_eval_request_metadata_type_0 import CreateEvalRequestMetadataType0
from .create_eval_responses_run_data_source import CreateEvalResponsesRunDataSource
from .create_eval_run_request import CreateEvalRunRequest
from .create_eval_run_request_metadata_type_0 import CreateEvalRunRequestMetadataType0
from .create_eval_stored_completions_data_source_config import CreateEvalStoredCompletionsDataSourceConfig
from .create_eval_stored_completions_data_source_config_metadata_type_0 import (
    CreateEvalStoredCompletionsDataSourceConfigMetadataType0,
)
from .create_fine_tuning_checkpoint_permission_request import CreateFineTuningCheckpointPermissionRequest
from .create_fine_tuning_job_request import CreateFineTuningJobRequest
from .create_fine_tuning_job_request_metadata_type_0 import CreateFineTuningJobRequestMetadataType0
from .create_response_request import CreateResponseRequest
from .create_response_request_context_management_type_0_item import CreateResponseRequestContextManagementType0Item
from .create_response_request_conversation_type_1 import CreateResponseRequestConversationType1
from .create_response_request_input_type_1_item import CreateResponseRequestInputType1Item
from .create_response_request_metadata_type_0 import CreateResponseRequestMetadataType0
from .create_response_request_moderation_type_0 import CreateResponseRequestModerationType0
from .create_response_request_prompt_cache_options_type_0 import CreateResponseRequestPromptCacheOptionsType0
from .create_response_request_prompt_type_0 import CreateResponseRequestPromptType0
from .create_response_request_text_type_0 import CreateResponseRequestTextType0
from .create_response_request_tool_choice_type_1 import CreateResponseRequestToolChoiceType1
from .create_response_request_tools_type_0_item import CreateResponseRequestToolsType0Item
from .create_upload_request import CreateUploadRequest
from .create_upload_request_purpose import CreateUploadRequestPurpose
from .create_webhook_endpoint_request import CreateWebhookEndpointRequest
from .delete_file_response import DeleteFileResponse
from .delete_fine_tuning_checkpoint_permission_response import DeleteFineTuningCheckpointPermissionResponse
from .deleted_webhook_endpoint import DeletedWebhookEndpoint
from .error import Error
from .error_response import ErrorResponse
from .eval_ import Eval
from .eval_api_error import EvalApiError
from .eval_custom_data_source_config import EvalCustomDataSourceConfig
from .eval_custom_data_source_config_schema import EvalCustomDataSourceConfigSchema
from .eval_deleted import EvalDeleted
from .eval_item import EvalItem
from .eval_item_content_output_text import EvalItemContentOutputText
from .eval_item_input_image import EvalItemInputImage
from .eval_item_role import EvalItemRole
from .eval_jsonl_file_content_source import EvalJsonlFileContentSource
from .eval_jsonl_file_id_source import EvalJsonlFileIdSource
from .eval_label_model_grader import EvalLabelModelGrader
from .eval_list import EvalList
from .eval_logs_data_source_config import EvalLogsDataSourceConfig
from .eval_logs_data_source_config_metadata_type_0 import EvalLogsDataSourceConfigMetadataType0
from .eval_logs_data_source_config_schema import EvalLogsDataSourceConfigSchema
from .eval_metadata_type_0 import EvalMetadataType0
from .eval_multi_grader import EvalMultiGrader
from .eval_multi_grader_graders_type_1 import EvalMultiGraderGradersType1
from .eval_python_grader import EvalPythonGrader
from .eval_responses_source import EvalResponsesSource
from .eval_responses_source_metadata_type_0 import EvalResponsesSourceMetadataType0
from .eval_run import EvalRun
from .eval_run_criterion_result import EvalRunCriterionResult
from .eval_run_data_source import EvalRunDataSource
from .eval_run_deleted import EvalRunDeleted
from .eval_run_list import EvalRunList
from .eval_run_metadata_type_0 import EvalRunMetadataType0
from .eval_run_model_usage import EvalRunModelUsage
from .eval_run_output_item import EvalRunOutputItem
from .eval_run_output_item_datasource_item import EvalRunOutputItemDatasourceItem
from .eval_run_output_item_list import EvalRunOutputItemList
from .eval_run_output_item_result import EvalRunOutputItemResult
from .eval_run_output_item_result_sample_type_0 import EvalRunOutputItemResultSampleType0
from .eval_run_output_item_sample import EvalRunOutputItemSample
from .eval_run_output_item_status import EvalRunOutputItemStatus
from .eval_run_result_counts import EvalRunResultCounts
from .eval_run_status import EvalRunStatus
from .eval_score_model_grader import EvalScoreModelGrader
from .eval_stored_completions_source import EvalStoredCompletionsSource
from .eval_string_check_grader import EvalStringCheckGrader
from .eval_string_check_grader_operation import EvalStringCheckGraderOperation
from .eval_text_similarity_grader import EvalTextSimilarityGrader
from .eval_text_similarity_grader_evaluation_metric import EvalTextSimilarityGraderEvaluationMetric
from .evals_list_order import EvalsListOrder
from .evals_list_order_by import EvalsListOrderBy
from .evals_runs_list_order import EvalsRunsListOrder
from .evals_runs_list_status_type_0 import EvalsRunsListStatusType0
from .evals_runs_output_items_list_order import EvalsRunsOutputItemsListOrder
from .evals_runs_output_items_list_status_type_0 import EvalsRunsOutputItemsListStatusType0
from .file_expiration_after import FileExpirationAfter
from .files_list_order import FilesListOrder
from .fine_tune_dpo_hyperparameters import FineTuneDPOHyperparameters
from .fine_tune_dpo_hyperparameters_batch_size_type_0 import FineTuneDPOHyperparametersBatchSizeType0
from .fine_tune_dpo_hyperparameters_beta_type_0 import FineTuneDPOHyperparametersBetaType0
from .fine_tune_dpo_hyperparameters_early_stopping_type_0 import FineTuneDPOHyperparametersEarlyStoppingType0
from .fine_tune_dpo_hyperparameters_early_stopping_type_1_type_1 import (
    FineTuneDPOHyperparametersEarlyStoppingType1Type1,
)
from .fine_tune_dpo_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneDPOHyperparametersLearningRateMultiplierType0,
)
from .fine_tune_dpo_hyperparameters_lora_alpha_type_0 import FineTuneDPOHyperparametersLoraAlphaType0
from .fine_tune_dpo_hyperparameters_lora_dropout_type_0 import FineTuneDPOHyperparametersLoraDropoutType0
from .fine_tune_dpo_hyperparameters_lora_rank_type_0 import FineTuneDPOHyperparametersLoraRankType0
from .fine_tune_dpo_hyperparameters_lora_target_modules_type_0 import FineTuneDPOHyperparametersLoraTargetModulesType0
from .fine_tune_dpo_hyperparameters_n_epochs_type_0 import FineTuneDPOHyperparametersNEpochsType0
from .fine_tune_dpo_hyperparameters_training_type import FineTuneDPOHyperparametersTrainingType
from .fine_tune_dpo_method import FineTuneDPOMethod
from .fine_tune_method import FineTuneMethod
from .fine_tune_method_type import FineTuneMethodType
from .fine_tune_reinforcement_hyperparameters import FineTuneReinforcementHyperparameters
from .fine_tune_reinforcement_hyperparameters_batch_size_type_0 import (
    FineTuneReinforcementHyperparametersBatchSizeType0,
)
from .fine_tune_reinforcement_hyperparameters_beta_type_0 import FineTuneReinforcementHyperparametersBetaType0
from .fine_tune_reinforcement_hyperparameters_compute_multiplier_type_0 import (
    FineTuneReinforcementHyperparametersComputeMultiplierType0,
)
from .fine_tune_reinforcement_hyperparameters_epsilon_type_0 import FineTuneReinforcementHyperparametersEpsilonType0
from .fine_tune_reinforcement_hyperparameters_eval_interval_type_0 import (
    FineTuneReinforcementHyperparametersEvalIntervalType0,
)
from .fine_tune_reinforcement_hyperparameters_eval_samples_type_0 import (
    FineTuneReinforcementHyperparametersEvalSamplesType0,
)
from .fine_tune_reinforcement_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneReinforcementHyperparametersLearningRateMultiplierType0,
)
from .fine_tune_reinforcement_hyperparameters_lora_alpha_type_0 import (
    FineTuneReinforcementHyperparametersLoraAlphaType0,
)
from .fine_tune_reinforcement_hyperparameters_lora_dropout_type_0 import (
    FineTuneReinforcementHyperparametersLoraDropoutType0,
)
from .fine_tune_reinforcement_hyperparameters_lora_rank_type_0 import FineTuneReinforcementHyperparametersLoraRankType0
from .fine_tune_reinforcement_hyperparameters_lora_target_modules_type_0 import (
    FineTuneReinforcementHyperparametersLoraTargetModulesType0,
)
from .fine_tune_reinforcement_hyperparameters_max_completion_tokens_type_0 import (
    FineTuneReinforcementHyperparametersMaxCompletionTokensType0,
)
from .fine_tune_reinforcement_hyperparameters_n_epochs_type_0 import FineTuneReinforcementHyperparametersNEpochsType0
from .fine_tune_reinforcement_hyperparameters_num_generations_type_0 import (
    FineTuneReinforcementHyperparametersNumGenerationsType0,
)
from .fine_tune_reinforcement_hyperparameters_reasoning_effort import (
    FineTuneReinforcementHyperparametersReasoningEffort,
)
from .fine_tune_reinforcement_hyperparameters_temperature_type_0 import (
    FineTuneReinforcementHyperparametersTemperatureType0,
)
from .fine_tune_reinforcement_method import FineTuneReinforcementMethod
from .fine_tune_supervised_hyperparameters import FineTuneSupervisedHyperparameters
from .fine_tune_supervised_hyperparameters_batch_size_type_0 import FineTuneSupervisedHyperparametersBatchSizeType0
from .fine_tune_supervised_hyperparameters_early_stopping_type_0 import (
    FineTuneSupervisedHyperparametersEarlyStoppingType0,
)
from .fine_tune_supervised_hyperparameters_early_stopping_type_1_type_1 import (
    FineTuneSupervisedHyperparametersEarlyStoppingType1Type1,
)
from .fine_tune_supervised_hyperparameters_learning_rate_multiplier_type_0 import (
    FineTuneSupervisedHyperparametersLearningRateMultiplierType0,
)
from .fine_tune_supervised_hyperparameters_lora_alpha_type_0 import FineTuneSupervisedHyperparametersLoraAlphaType0
from .fine_tune_supervised_hyperparameters_lora_dropout_type_0 import FineTuneSupervisedHyperparametersLoraDropoutType0
from .fine_tune_supervised_hyperparameters_lora_rank_type_0 import FineTuneSupervisedHyperparametersLoraRankType0
from .fine_tune_supervised_hyperparameters_lora_target_modules_type_0 import (
    FineTuneSupervisedHyperparametersLoraTargetModulesType0,
)
from .fine_tune_supervised_hyperparameters_n_epochs_type_0 import FineTuneSupervisedHyperparametersNEpochsType0
from .fine_tune_supervised_hyperparameters_training_type import FineTuneSupervisedHyperparametersTrainingType
from .fine_tune_supervised_method import FineTuneSupervisedMethod
from .fine_tuning_checkpoint_permission import FineTuningCheckpointPermission
from .fine_tuning_checkpoints_permissions_list_order import FineTuningCheckpointsPermissionsListOrder
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
from .function_call import FunctionCall
from .incomplete_details import IncompleteDetails
from .incomplete_details_reason import IncompleteDetailsReason
from .input_audio import InputAudio
from .input_audio_data import InputAudioData
from .input_audio_data_format import InputAudioDataFormat
from .input_text_content import InputTextContent
from .input_text_content_prompt_cache_breakpoint_type_0 import InputTextContentPromptCacheBreakpointType0
from .input_tokens_details import InputTokensDetails
from .item_reference_input_messages import ItemReferenceInputMessages
from .label_model_grader import LabelModelGrader
from .legacy_hyperparameters import LegacyHyperparameters
from .legacy_hyperparameters_batch_size_type_0 import LegacyHyperparametersBatchSizeType0
from .legacy_hyperparameters_learning_rate_multiplier_type_0 import LegacyHyperparametersLearningRateMultiplierType0
from .legacy_hyperparameters_n_epochs_type_0 import LegacyHyperparametersNEpochsType0
from .list_files_response import ListFilesResponse
from .list_fine_tuning_checkpoint_permission_response import ListFineTuningCheckpointPermissionResponse
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
from .output_tokens_details import OutputTokensDetails
from .python_grader import PythonGrader
from .reasoning import Reasoning
from .reasoning_context_type_0 import ReasoningContextType0
from .reasoning_effort_type_0 import ReasoningEffortType0
from .reasoning_generate_summary_type_0 import ReasoningGenerateSummaryType0
from .reasoning_summary_type_0 import ReasoningSummaryType0
from .response import Response
from .response_deleted import ResponseDeleted
from .response_error import ResponseError
from .response_function_tool_call import ResponseFunctionToolCall
from .response_function_tool_call_status import ResponseFunctionToolCallStatus
from .response_item_list import ResponseItemList
from .response_item_list_data_item import ResponseItemListDataItem
from .response_metadata import ResponseMetadata
from .response_output_message import ResponseOutputMessage
from .response_output_message_status import ResponseOutputMessageStatus
from .response_output_text import ResponseOutputText
from .response_output_text_annotations_item import ResponseOutputTextAnnotationsItem
from .response_output_text_logprobs_item import ResponseOutputTextLogprobsItem
from .response_reasoning_item import ResponseReasoningItem
from .response_reasoning_item_summary_item import ResponseReasoningItemSummaryItem
from .response_status import ResponseStatus
from .response_stream_event import ResponseStreamEvent
from .response_stream_options import ResponseStreamOptions
from .response_text import ResponseText
from .response_tool_choice_type_1 import ResponseToolChoiceType1
from .response_tools_item import ResponseToolsItem
from .response_usage import ResponseUsage
from .responses_input_items_list_order import ResponsesInputItemsListOrder
from .responses_run_sampling_params import ResponsesRunSamplingParams
from .responses_run_sampling_params_text_type_0 import ResponsesRunSamplingParamsTextType0
from .responses_run_sampling_params_tools_type_0_item import ResponsesRunSamplingParamsToolsType0Item
from .rotate_webhook_secret_request import RotateWebhookSecretRequest
from .run_grader_errors import RunGraderErrors
from .run_grader_metadata import RunGraderMetadata
from .run_grader_metadata_scores import RunGraderMetadataScores
from .run_grader_request import RunGraderRequest
from .run_grader_request_item_type_0 import RunGraderRequestItemType0
from .run_grader_response import RunGraderResponse
from .run_grader_response_model_grader_token_usage_per_model import RunGraderResponseModelGraderTokenUsagePerModel
from .run_grader_response_sub_rewards import RunGraderResponseSubRewards
from .run_sampling_params import RunSamplingParams
from .run_sampling_params_response_format_type_0 import RunSamplingParamsResponseFormatType0
from .run_sampling_params_tools_type_0_item import RunSamplingParamsToolsType0Item
from .sample_message import SampleMessage
from .sample_usage import SampleUsage
from .score_model_grader import ScoreModelGrader
from .score_model_sampling_params import ScoreModelSamplingParams
from .stream_options import StreamOptions
from .string_check_grader import StringCheckGrader
from .string_check_grader_operation import StringCheckGraderOperation
from .template_input_messages import TemplateInputMessages
from .test_webhook_endpoint_request import TestWebhookEndpointRequest
from .text_similarity_grader import TextSimilarityGrader
from .text_similarity_grader_evaluation_metric import TextSimilarityGraderEvaluationMetric
from .top_logprob import TopLogprob
from .update_eval_request import UpdateEvalRequest
from .update_eval_request_metadata_type_0 import UpdateEvalRequestMetadataType0
from .update_webhook_endpoint_request import UpdateWebhookEndpointRequest
from .upload import Upload
from .upload_part import UploadPart
from .upload_status import UploadStatus
from .validate_grader_request import ValidateGraderRequest
from .validate_grader_response import ValidateGraderResponse
from .wandb_integration import WandbIntegration
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_list import WebhookEndpointList
from .webhook_endpoint_test_result import WebhookEndpointTestResult
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret
from .webhook_event_type_list import WebhookEventTypeList

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
    "ChatCompletionMessageToolCall",
    "ChatCompletionMetadataType0",
    "ChatCompletionRequestMessage",
    "ChatCompletionRequestMessageAudioType0",
    "ChatCompletionRequestMessageFunctionCallType0",
    "ChatCompletionRequestMessageRole",
    "ChatCompletionRequestMessageToolCallsType0Item",
    "ChatCompletionTokenLogprob",
    "ChoiceDelta",
    "ChoiceDeltaFunctionCall",
    "ChoiceDeltaToolCall",
    "ChoiceLogprobs",
    "CompleteUploadRequest",
    "Completion",
    "CompletionChoice",
    "CompletionChoiceFinishReasonType0",
    "CompletionLogprobs",
    "CompletionLogprobsTopLogprobsType0Item",
    "CompletionUsage",
    "ContentRow",
    "ContentRowItem",
    "ContentRowSampleType0",
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
    "CreateEvalCompletionsRunDataSource",
    "CreateEvalCustomDataSourceConfig",
    "CreateEvalCustomDataSourceConfigItemSchema",
    "CreateEvalJsonlRunDataSource",
    "CreateEvalLogsDataSourceConfig",
    "CreateEvalLogsDataSourceConfigMetadataType0",
    "CreateEvalRequest",
    "CreateEvalRequestMetadataType0",
    "CreateEvalResponsesRunDataSource",
    "CreateEvalRunRequest",
    "CreateEvalRunRequestMetadataType0",
    "CreateEvalStoredCompletionsDataSourceConfig",
    "CreateEvalStoredCompletionsDataSourceConfigMetadataType0",
    "CreateFineTuningCheckpointPermissionRequest",
    "CreateFineTuningJobRequest",
    "CreateFineTuningJobRequestMetadataType0",
    "CreateResponseRequest",
    "CreateResponseRequestContextManagementType0Item",
    "CreateResponseRequestConversationType1",
    "CreateResponseRequestInputType1Item",
    "CreateResponseRequestMetadataType0",
    "CreateResponseRequestModerationType0",
    "CreateResponseRequestPromptCacheOptionsType0",
    "CreateResponseRequestPromptType0",
    "CreateResponseRequestTextType0",
    "CreateResponseRequestToolChoiceType1",
    "CreateResponseRequestToolsType0Item",
    "CreateUploadRequest",
    "CreateUploadRequestPurpose",
    "CreateWebhookEndpointRequest",
    "DeletedWebhookEndpoint",
    "DeleteFileResponse",
    "DeleteFineTuningCheckpointPermissionResponse",
    "Error",
    "ErrorResponse",
    "Eval",
    "EvalApiError",
    "EvalCustomDataSourceConfig",
    "EvalCustomDataSourceConfigSchema",
    "EvalDeleted",
    "EvalItem",
    "EvalItemContentOutputText",
    "EvalItemInputImage",
    "EvalItemRole",
    "EvalJsonlFileContentSource",
    "EvalJsonlFileIdSource",
    "EvalLabelModelGrader",
    "EvalList",
    "EvalLogsDataSourceConfig",
    "EvalLogsDataSourceConfigMetadataType0",
    "EvalLogsDataSourceConfigSchema",
    "EvalMetadataType0",
    "EvalMultiGrader",
    "EvalMultiGraderGradersType1",
    "EvalPythonGrader",
    "EvalResponsesSource",
    "EvalResponsesSourceMetadataType0",
    "EvalRun",
    "EvalRunCriterionResult",
    "EvalRunDataSource",
    "EvalRunDeleted",
    "EvalRunList",
    "EvalRunMetadataType0",
    "EvalRunModelUsage",
    "EvalRunOutputItem",
    "EvalRunOutputItemDatasourceItem",
    "EvalRunOutputItemList",
    "EvalRunOutputItemResult",
    "EvalRunOutputItemResultSampleType0",
    "EvalRunOutputItemSample",
    "EvalRunOutputItemStatus",
    "EvalRunResultCounts",
    "EvalRunStatus",
    "EvalScoreModelGrader",
    "EvalsListOrder",
    "EvalsListOrderBy",
    "EvalsRunsListOrder",
    "EvalsRunsListStatusType0",
    "EvalsRunsOutputItemsListOrder",
    "EvalsRunsOutputItemsListStatusType0",
    "EvalStoredCompletionsSource",
    "EvalStringCheckGrader",
    "EvalStringCheckGraderOperation",
    "EvalTextSimilarityGrader",
    "EvalTextSimilarityGraderEvaluationMetric",
    "FileExpirationAfter",
    "FilesListOrder",
    "FineTuneDPOHyperparameters",
    "FineTuneDPOHyperparametersBatchSizeType0",
    "FineTuneDPOHyperparametersBetaType0",
    "FineTuneDPOHyperparametersEarlyStoppingType0",
    "FineTuneDPOHyperparametersEarlyStoppingType1Type1",
    "FineTuneDPOHyperparametersLearningRateMultiplierType0",
    "FineTuneDPOHyperparametersLoraAlphaType0",
    "FineTuneDPOHyperparametersLoraDropoutType0",
    "FineTuneDPOHyperparametersLoraRankType0",
    "FineTuneDPOHyperparametersLoraTargetModulesType0",
    "FineTuneDPOHyperparametersNEpochsType0",
    "FineTuneDPOHyperparametersTrainingType",
    "FineTuneDPOMethod",
    "FineTuneMethod",
    "FineTuneMethodType",
    "FineTuneReinforcementHyperparameters",
    "FineTuneReinforcementHyperparametersBatchSizeType0",
    "FineTuneReinforcementHyperparametersBetaType0",
    "FineTuneReinforcementHyperparametersComputeMultiplierType0",
    "FineTuneReinforcementHyperparametersEpsilonType0",
    "FineTuneReinforcementHyperparametersEvalIntervalType0",
    "FineTuneReinforcementHyperparametersEvalSamplesType0",
    "FineTuneReinforcementHyperparametersLearningRateMultiplierType0",
    "FineTuneReinforcementHyperparametersLoraAlphaType0",
    "FineTuneReinforcementHyperparametersLoraDropoutType0",
    "FineTuneReinforcementHyperparametersLoraRankType0",
    "FineTuneReinforcementHyperparametersLoraTargetModulesType0",
    "FineTuneReinforcementHyperparametersMaxCompletionTokensType0",
    "FineTuneReinforcementHyperparametersNEpochsType0",
    "FineTuneReinforcementHyperparametersNumGenerationsType0",
    "FineTuneReinforcementHyperparametersReasoningEffort",
    "FineTuneReinforcementHyperparametersTemperatureType0",
    "FineTuneReinforcementMethod",
    "FineTuneSupervisedHyperparameters",
    "FineTuneSupervisedHyperparametersBatchSizeType0",
    "FineTuneSupervisedHyperparametersEarlyStoppingType0",
    "FineTuneSupervisedHyperparametersEarlyStoppingType1Type1",
    "FineTuneSupervisedHyperparametersLearningRateMultiplierType0",
    "FineTuneSupervisedHyperparametersLoraAlphaType0",
    "FineTuneSupervisedHyperparametersLoraDropoutType0",
    "FineTuneSupervisedHyperparametersLoraRankType0",
    "FineTuneSupervisedHyperparametersLoraTargetModulesType0",
    "FineTuneSupervisedHyperparametersNEpochsType0",
    "FineTuneSupervisedHyperparametersTrainingType",
    "FineTuneSupervisedMethod",
    "FineTuningCheckpointPermission",
    "FineTuningCheckpointsPermissionsListOrder",
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
    "FunctionCall",
    "IncompleteDetails",
    "IncompleteDetailsReason",
    "InputAudio",
    "InputAudioData",
    "InputAudioDataFormat",
    "InputTextContent",
    "InputTextContentPromptCacheBreakpointType0",
    "InputTokensDetails",
    "ItemReferenceInputMessages",
    "LabelModelGrader",
    "LegacyHyperparameters",
    "LegacyHyperparametersBatchSizeType0",
    "LegacyHyperparametersLearningRateMultiplierType0",
    "LegacyHyperparametersNEpochsType0",
    "ListFilesResponse",
    "ListFineTuningCheckpointPermissionResponse",
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
    "OutputTokensDetails",
    "PythonGrader",
    "Reasoning",
    "ReasoningContextType0",
    "ReasoningEffortType0",
    "ReasoningGenerateSummaryType0",
    "ReasoningSummaryType0",
    "Response",
    "ResponseDeleted",
    "ResponseError",
    "ResponseFunctionToolCall",
    "ResponseFunctionToolCallStatus",
    "ResponseItemList",
    "ResponseItemListDataItem",
    "ResponseMetadata",
    "ResponseOutputMessage",
    "ResponseOutputMessageStatus",
    "ResponseOutputText",
    "ResponseOutputTextAnnotationsItem",
    "ResponseOutputTextLogprobsItem",
    "ResponseReasoningItem",
    "ResponseReasoningItemSummaryItem",
    "ResponsesInputItemsListOrder",
    "ResponsesRunSamplingParams",
    "ResponsesRunSamplingParamsTextType0",
    "ResponsesRunSamplingParamsToolsType0Item",
    "ResponseStatus",
    "ResponseStreamEvent",
    "ResponseStreamOptions",
    "ResponseText",
    "ResponseToolChoiceType1",
    "ResponseToolsItem",
    "ResponseUsage",
    "RotateWebhookSecretRequest",
    "RunGraderErrors",
    "RunGraderMetadata",
    "RunGraderMetadataScores",
    "RunGraderRequest",
    "RunGraderRequestItemType0",
    "RunGraderResponse",
    "RunGraderResponseModelGraderTokenUsagePerModel",
    "RunGraderResponseSubRewards",
    "RunSamplingParams",
    "RunSamplingParamsResponseFormatType0",
    "RunSamplingParamsToolsType0Item",
    "SampleMessage",
    "SampleUsage",
    "ScoreModelGrader",
    "ScoreModelSamplingParams",
    "StreamOptions",
    "StringCheckGrader",
    "StringCheckGraderOperation",
    "TemplateInputMessages",
    "TestWebhookEndpointRequest",
    "TextSimilarityGrader",
    "TextSimilarityGraderEvaluationMetric",
    "TopLogprob",
    "UpdateEvalRequest",
    "UpdateEvalRequestMetadataType0",
    "UpdateWebhookEndpointRequest",
    "Upload",
    "UploadPart",
    "UploadStatus",
    "ValidateGraderRequest",
    "ValidateGraderResponse",
    "WandbIntegration",
    "WebhookEndpoint",
    "WebhookEndpointList",
    "WebhookEndpointTestResult",
    "WebhookEndpointWithSecret",
    "WebhookEventTypeList",
)
