from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define

from ..models.eval_item_role import EvalItemRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_item_content_output_text import EvalItemContentOutputText
    from ..models.eval_item_input_image import EvalItemInputImage
    from ..models.input_audio import InputAudio
    from ..models.input_text_content import InputTextContent


T = TypeVar("T", bound="EvalItem")


@_attrs_define
class EvalItem:
    """A message input to the model with a role indicating instruction following hierarchy.

    Attributes:
        role (EvalItemRole): `user`, `assistant`, `system` or `developer`.
        content (EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent |
            list[EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent | str] | str): Text, or text
            parts (`input_text`, `output_text`), with template strings.
        type_ (Literal['message'] | None | Unset): Always `message`.
    """

    role: EvalItemRole
    content: (
        EvalItemContentOutputText
        | EvalItemInputImage
        | InputAudio
        | InputTextContent
        | list[EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent | str]
        | str
    )
    type_: Literal["message"] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_item_content_output_text import EvalItemContentOutputText  # noqa: PLC0415
        from ..models.eval_item_input_image import EvalItemInputImage  # noqa: PLC0415
        from ..models.input_audio import InputAudio  # noqa: PLC0415
        from ..models.input_text_content import InputTextContent  # noqa: PLC0415

        role = self.role.value

        content: dict[str, Any] | list[dict[str, Any] | str] | str
        if isinstance(self.content, InputTextContent):
            content = self.content.to_dict()
        elif isinstance(self.content, EvalItemContentOutputText):
            content = self.content.to_dict()
        elif isinstance(self.content, EvalItemInputImage):
            content = self.content.to_dict()
        elif isinstance(self.content, InputAudio):
            content = self.content.to_dict()
        elif isinstance(self.content, list):
            content = []
            for content_type_2_item_data in self.content:
                content_type_2_item: dict[str, Any] | str
                if isinstance(content_type_2_item_data, InputTextContent):
                    content_type_2_item = content_type_2_item_data.to_dict()
                elif isinstance(content_type_2_item_data, EvalItemContentOutputText):
                    content_type_2_item = content_type_2_item_data.to_dict()
                elif isinstance(content_type_2_item_data, EvalItemInputImage):
                    content_type_2_item = content_type_2_item_data.to_dict()
                elif isinstance(content_type_2_item_data, InputAudio):
                    content_type_2_item = content_type_2_item_data.to_dict()
                else:
                    content_type_2_item = content_type_2_item_data
                content.append(content_type_2_item)

        else:
            content = self.content

        type_: Literal["message"] | None | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
                "content": content,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_item_content_output_text import EvalItemContentOutputText  # noqa: PLC0415
        from ..models.eval_item_input_image import EvalItemInputImage  # noqa: PLC0415
        from ..models.input_audio import InputAudio  # noqa: PLC0415
        from ..models.input_text_content import InputTextContent  # noqa: PLC0415

        d = dict(src_dict)
        role = EvalItemRole(d.pop("role"))

        def _parse_content(
            data: object,
        ) -> (
            EvalItemContentOutputText
            | EvalItemInputImage
            | InputAudio
            | InputTextContent
            | list[EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent | str]
            | str
        ):
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                content_type_1_type_0 = InputTextContent.from_dict(data)

                return content_type_1_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                content_type_1_type_1 = EvalItemContentOutputText.from_dict(data)

                return content_type_1_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                content_type_1_type_2 = EvalItemInputImage.from_dict(data)

                return content_type_1_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                content_type_1_type_3 = InputAudio.from_dict(data)

                return content_type_1_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                content_type_2 = []
                _content_type_2 = data
                for content_type_2_item_data in _content_type_2:

                    def _parse_content_type_2_item(
                        data: object,
                    ) -> EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent | str:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            content_type_2_item_type_1_type_0 = InputTextContent.from_dict(data)

                            return content_type_2_item_type_1_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            content_type_2_item_type_1_type_1 = EvalItemContentOutputText.from_dict(data)

                            return content_type_2_item_type_1_type_1
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            content_type_2_item_type_1_type_2 = EvalItemInputImage.from_dict(data)

                            return content_type_2_item_type_1_type_2
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            content_type_2_item_type_1_type_3 = InputAudio.from_dict(data)

                            return content_type_2_item_type_1_type_3
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        return cast(
                            EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent | str, data
                        )

                    content_type_2_item = _parse_content_type_2_item(content_type_2_item_data)

                    content_type_2.append(content_type_2_item)

                return content_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                EvalItemContentOutputText
                | EvalItemInputImage
                | InputAudio
                | InputTextContent
                | list[EvalItemContentOutputText | EvalItemInputImage | InputAudio | InputTextContent | str]
                | str,
                data,
            )

        content = _parse_content(d.pop("content"))

        def _parse_type_(data: object) -> Literal["message"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            type_type_0 = cast(Literal["message"], data)
            if type_type_0 != "message":
                raise ValueError(f"type_type_0 must match const 'message', got '{type_type_0}'")
            return type_type_0
            return cast(Literal["message"] | None | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        eval_item = cls(
            role=role,
            content=content,
            type_=type_,
        )

        return eval_item
