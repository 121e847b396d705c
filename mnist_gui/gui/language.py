"""The window's language: English (the source strings) or Italian, through Qt's translators.

The language follows the system locale (``LANG=it_IT.UTF-8`` gives Italian) unless the user
picked one in View > Language, which is remembered in the settings (key ``language``: "" to
follow the system, else a language code). Translations live in
``resources/i18n/mnist_gui_<code>.ts`` (edited by hand, refreshed from the code by
``scripts/update_translations.py``) and are shipped compiled as ``.qm``; Qt's own dialogs
(file dialogs, message box buttons) use ``qtbase_<code>.qm`` from PySide6's translations
folder, which the PySide6-Essentials wheel ships.

Changing the language takes effect at the next start: every view sets its texts once, when it
is built, and re-building them all live would mean a second code path for every label.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QSettings, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from ..core.data import resources_dir
from .guard import guarded

# the languages with a translation (English is the source), each named in itself
LANGUAGES = {"en": "English", "it": "Italiano"}
SETTINGS_KEY = "language"
_LOCALES = {"en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
            "it": QLocale(QLocale.Language.Italian, QLocale.Country.Italy)}


def translations_dir() -> Path:
    """The folder of the app's compiled translations (``mnist_gui_<code>.qm``)."""
    return resources_dir() / "i18n"


def system_language(locale: QLocale | None = None) -> str:
    """The code of the language the system ``locale`` asks for, if we have it, else "en"."""
    locale = QLocale.system() if locale is None else locale
    for code, ours in _LOCALES.items():
        if locale.language() == ours.language():
            return code
    return "en"


def number_locale(code: str, system: QLocale | None = None) -> QLocale:
    """The locale numbers are written in for language ``code``: the system's when it speaks
    that language (en_GB, it_CH keep their own formats), else the language's usual one."""
    system = QLocale.system() if system is None else system
    if system.language() == _LOCALES[code].language():
        return system
    return _LOCALES[code]


def chosen_language(settings: QSettings, locale: QLocale | None = None) -> str:
    """The language to start in: the one saved in ``settings`` if it is one we have, else
    the system's (``locale``, default ``QLocale.system()``)."""
    saved = str(settings.value(SETTINGS_KEY, "") or "")
    return saved if saved in LANGUAGES else system_language(locale)


class Translation:
    """The translators of one language, installed into the application until ``remove``d."""

    def __init__(self, code: str) -> None:
        self.code = code if code in LANGUAGES else "en"
        self.translators: list[QTranslator] = []
        self.previous_locale = QLocale()

    def install(self) -> Translation:
        """Install the app's and Qt's translators and make the language's number format the
        default (``QLocale()``). English has a translator too, for its plural forms only
        ("%n unit(s)" -> "1 unit", "2 units"). Missing files are skipped: the window then shows
        the source strings."""
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("install a translation after the QApplication exists")
        QLocale.setDefault(number_locale(self.code))
        files = [(translations_dir(), f"mnist_gui_{self.code}")]  # English: its plural forms
        if self.code != "en":  # Qt's own texts are English already
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            files.append((qt_dir, f"qtbase_{self.code}"))
        for folder, name in files:
            translator = QTranslator(app)
            if translator.load(name, str(folder)):
                app.installTranslator(translator)
                self.translators.append(translator)
        return self

    def remove(self) -> None:
        """Take the translators out again and restore the number format (for tests)."""
        app = QCoreApplication.instance()
        for translator in self.translators:
            if app is not None:
                app.removeTranslator(translator)
        self.translators.clear()
        QLocale.setDefault(self.previous_locale)


def install_language(settings: QSettings, locale: QLocale | None = None) -> Translation:
    """Install the language ``settings`` ask for (or the system's): call it once, after the
    QApplication is made and before any window is built."""
    return Translation(chosen_language(settings, locale)).install()


class LanguageMenu(QObject):
    """View > Language: "System" and each language, one checked; a choice is saved in
    ``settings`` and takes effect at the next start (the menu says so)."""

    def __init__(self, parent_menu: QMenu, settings: QSettings) -> None:
        super().__init__(parent_menu)
        self.settings = settings
        self.menu = parent_menu.addMenu(self.tr("&Language"))
        self.menu.setObjectName("language_menu")
        group = QActionGroup(self.menu)
        group.setExclusive(True)
        saved = str(settings.value(SETTINGS_KEY, "") or "")
        saved = saved if saved in LANGUAGES else ""
        system = LANGUAGES[system_language()]
        choices = [("", self.tr("System ({language})").format(language=system))]
        choices += list(LANGUAGES.items())
        self.actions: dict[str, QAction] = {}
        for code, label in choices:
            action = QAction(label, self.menu)
            action.setCheckable(True)
            action.setChecked(code == saved)
            action.setData(code)
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[code] = action
        group.triggered.connect(self._on_language_triggered)
        self.menu.addSeparator()
        self.note = self.menu.addAction(self.tr("A new language is used after a restart"))
        self.note.setEnabled(False)

    @guarded
    def _on_language_triggered(self, action: QAction) -> None:
        self.settings.setValue(SETTINGS_KEY, action.data())
        self.settings.sync()
