"""Form fields on which Enter saves the form, as it does in a one-line text field.

Textual's Select opens its menu on Enter and its Checkbox toggles on Enter; in folio's
forms Enter saves (only a multi-line field keeps Enter for a new line), so these open
the menu with space or the arrow keys and toggle with space, and let Enter through to the
form's own binding.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, Select
from textual.widgets._select import SelectType


class FormSelect(Select[SelectType], inherit_bindings=False):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
    ]


class FormCheckbox(Checkbox, inherit_bindings=False):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
    ]
