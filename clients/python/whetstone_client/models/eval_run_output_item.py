from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.eval_run_output_item_status import EvalRunOutputItemStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.eval_run_output_item_datasource_item import EvalRunOutputItemDatasourceItem
    from ..models.eval_run_output_item_result import EvalRunOutputItemResult
    from ..models.eval_run_output_item_sample import EvalRunOutputItemSample


T = TypeVar("T", bound="EvalRunOutputItem")


@_attrs_define
class EvalRunOutputItem:
    """One graded item of a run.

    Attributes:
        id (str): The output item's identifier, `outputitem_...`.
        run_id (str): The run.
        eval_id (str): The eval.
        created_at (int): Unix seconds when the item was graded.
        status (EvalRunOutputItemStatus): `pass`, `fail` or `error`.
        datasource_item_id (int): The item's index in the data source.
        datasource_item (EvalRunOutputItemDatasourceItem): The item.
        results (list[EvalRunOutputItemResult]): One result per criterion.
        sample (EvalRunOutputItemSample): What the model was asked and answered.
        object_ (Literal['eval.run.output_item'] | Unset): Always `eval.run.output_item`. Default:
            'eval.run.output_item'.
    """

    id: str
    run_id: str
    eval_id: str
    created_at: int
    status: EvalRunOutputItemStatus
    datasource_item_id: int
    datasource_item: EvalRunOutputItemDatasourceItem
    results: list[EvalRunOutputItemResult]
    sample: EvalRunOutputItemSample
    object_: Literal["eval.run.output_item"] | Unset = "eval.run.output_item"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        run_id = self.run_id

        eval_id = self.eval_id

        created_at = self.created_at

        status = self.status.value

        datasource_item_id = self.datasource_item_id

        datasource_item = self.datasource_item.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        sample = self.sample.to_dict()

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "run_id": run_id,
                "eval_id": eval_id,
                "created_at": created_at,
                "status": status,
                "datasource_item_id": datasource_item_id,
                "datasource_item": datasource_item,
                "results": results,
                "sample": sample,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_run_output_item_datasource_item import EvalRunOutputItemDatasourceItem  # noqa: PLC0415
        from ..models.eval_run_output_item_result import EvalRunOutputItemResult  # noqa: PLC0415
        from ..models.eval_run_output_item_sample import EvalRunOutputItemSample  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        run_id = d.pop("run_id")

        eval_id = d.pop("eval_id")

        created_at = d.pop("created_at")

        status = EvalRunOutputItemStatus(d.pop("status"))

        datasource_item_id = d.pop("datasource_item_id")

        datasource_item = EvalRunOutputItemDatasourceItem.from_dict(d.pop("datasource_item"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = EvalRunOutputItemResult.from_dict(results_item_data)

            results.append(results_item)

        sample = EvalRunOutputItemSample.from_dict(d.pop("sample"))

        object_ = cast(Literal["eval.run.output_item"] | Unset, d.pop("object", UNSET))
        if object_ != "eval.run.output_item" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'eval.run.output_item', got '{object_}'")

        eval_run_output_item = cls(
            id=id,
            run_id=run_id,
            eval_id=eval_id,
            created_at=created_at,
            status=status,
            datasource_item_id=datasource_item_id,
            datasource_item=datasource_item,
            results=results,
            sample=sample,
            object_=object_,
        )

        eval_run_output_item.additional_properties = d
        return eval_run_output_item

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
