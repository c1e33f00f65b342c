"""Contains all the data models used in inputs/outputs"""

from .body_files_create import BodyFilesCreate
from .body_files_create_purpose import BodyFilesCreatePurpose
from .body_uploads_add_part import BodyUploadsAddPart
from .complete_upload_request import CompleteUploadRequest
from .create_upload_request import CreateUploadRequest
from .create_upload_request_purpose import CreateUploadRequestPurpose
from .delete_file_response import DeleteFileResponse
from .error import Error
from .error_response import ErrorResponse
from .file_expiration_after import FileExpirationAfter
from .files_list_order import FilesListOrder
from .list_files_response import ListFilesResponse
from .open_ai_file import OpenAIFile
from .open_ai_file_purpose import OpenAIFilePurpose
from .open_ai_file_status import OpenAIFileStatus
from .upload import Upload
from .upload_part import UploadPart
from .upload_status import UploadStatus

__all__ = (
    "BodyFilesCreate",
    "BodyFilesCreatePurpose",
    "BodyUploadsAddPart",
    "CompleteUploadRequest",
    "CreateUploadRequest",
    "CreateUploadRequestPurpose",
    "DeleteFileResponse",
    "Error",
    "ErrorResponse",
    "FileExpirationAfter",
    "FilesListOrder",
    "ListFilesResponse",
    "OpenAIFile",
    "OpenAIFilePurpose",
    "OpenAIFileStatus",
    "Upload",
    "UploadPart",
    "UploadStatus",
)
