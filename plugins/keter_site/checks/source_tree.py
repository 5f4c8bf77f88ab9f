"""What may be in content/ at all (no link, no hidden file, Markdown pages, real images), before anything is read:
names and first bytes only, so it costs next to nothing on each save of the live preview."""

from collections.abc import Iterator, Mapping
from typing import Any
import os
import re

from keter_site.core.build import report

# A page's file name ends in .md (what the checks, the editor and `invoke new` read and write);
# Pelican's Markdown reader would also take these, so they are said to be misnamed.
MARKDOWN = ".md"
OTHER_MARKDOWN = (".markdown", ".mkd", ".mdown")
# Folders of content/ that hold data the plugins read (YAML), not pages.
DATA_FOLDERS = ("data",)
# Each image format's file name extensions and how its files start: any one of its signatures,
# each a set of (offset, bytes) that must all be there.
IMAGE_FORMATS = {
    "PNG": ((".png",), (((0, b"\x89PNG\r\n\x1a\n"),),)),
    "JPEG": ((".jpg", ".jpeg"), (((0, b"\xff\xd8\xff"),),)),
    "GIF": ((".gif",), (((0, b"GIF87a"),), ((0, b"GIF89a"),))),
    "WebP": ((".webp",), (((0, b"RIFF"), (8, b"WEBP")),)),
    "AVIF": ((".avif",), (((4, b"ftypavif"),), ((4, b"ftypavis"),))),
}
FORMAT_NAMES = "PNG, JPEG, WebP, AVIF or GIF"
# {extension: content type} of the images the static folders publish (the deploy targets send
# these types, and anything else there as a download).
IMAGE_TYPES = {extension: f"image/{name.lower()}" for name, (extensions, _) in IMAGE_FORMATS.items()
               for extension in extensions}
# A text editor's own files while a page is open (Vim's swap file, Emacs's lock link): never read
# or copied (IGNORE_FILES), and gone when the editor closes the page, so not refused.
EDITOR_WORKING_FILE = re.compile(r"^\.(#.+|.+\.sw[a-p])$")


def image_format(head: bytes) -> str | None:
    """The image format whose signature `head` (a file's first bytes) starts with, or None."""
    for name, (_, signatures) in IMAGE_FORMATS.items():
        if any(all(head[offset:offset + len(magic)] == magic for offset, magic in signature)
               for signature in signatures):
            return name
    return None


def _format_of_extension(path: str) -> str | None:
    extension = os.path.splitext(path)[1].lower()
    return next((name for name, (extensions, _) in IMAGE_FORMATS.items() if extension in extensions), None)


def static_file_problem(path: str) -> tuple[str, str] | None:
    """(message, fix) when the file at `path` may not be published from a static folder."""
    extension = os.path.splitext(path)[1].lower()
    # SVG is a document that can run script on the site's own origin, and the site has no sanitizer for it.
    if extension == ".svg":
        return ("an SVG image can carry scripts that would run on the site's own pages, so content/images/ "
                "publishes none.",
                "Export it as WebP instead (twice the size it is shown at, for sharp screens).")
    expected = _format_of_extension(path)
    if expected is None:
        return (f"only images ({FORMAT_NAMES}) are published from content/images/; a "
                f"`{extension or 'nameless'}` file could run code on the site or be served as something else.",
                "Remove it (or move it out of content/). Pages go in content/<language>/ as .md files.")
    # Checked by content, not name: a server sends the file as the type its extension names.
    with open(path, "rb") as file:
        found = image_format(file.read(16))
    if found != expected:
        what = f"a {found} image" if found else f"no {FORMAT_NAMES} image"
        return (f"the file is named as a {expected} image, but its content is {what}: it would be served as "
                "something it is not.",
                f"Export the image again as {FORMAT_NAMES}, and give it that format's extension.")
    return None


def _walk(folder: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(path, entry) for every file and folder under `folder`, links and hidden entries
    included but not entered."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            yield entry.path, entry
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                yield from _walk(entry.path)


def check(settings: Mapping[str, Any]) -> None:
    """Report every file of content/ that may not be there."""
    content = settings["PATH"]
    static = tuple(os.path.join(content, folder) for folder in settings.get("STATIC_PATHS", []))
    data = tuple(os.path.join(content, folder) for folder in DATA_FOLDERS)

    def under(path: str, folders: tuple[str, ...]) -> bool:
        return any(path == folder or path.startswith(folder + os.sep) for folder in folders)

    # Plain strings, not Path objects: the live preview runs this on every save, over every file.
    for path, entry in _walk(content):
        if EDITOR_WORKING_FILE.match(entry.name) and not entry.is_dir(follow_symlinks=False):
            continue
        if entry.is_symlink():
            report(path, "this is a symbolic link: the build would copy whatever it points to into the site.",
                   "Replace it with the real file (or remove it).")
        elif entry.name.startswith("."):
            # IGNORE_FILES keeps Pelican from reading or copying it: refused rather than left out without a word.
            where = ("a folder that is copied to the site as it is: it would be published" if under(path, static)
                     else "content/: no one sees it in the folder, and the site never uses it")
            report(path, f"a hidden file in {where}.",
                   "Remove it (or move it out of content/); a page's name never starts with a dot.")
        elif entry.is_dir(follow_symlinks=False) or under(path, data):
            continue
        elif under(path, static):
            problem = static_file_problem(path)
            if problem:
                report(path, *problem)
        elif entry.name.lower().endswith(OTHER_MARKDOWN):
            report(path, "a page's file name must end in .md: the site's checks read .md files only.",
                   f"Rename it to {os.path.splitext(entry.name)[0]}.md.")
        elif not entry.name.endswith(MARKDOWN):
            extension = os.path.splitext(entry.name)[1].lower()
            kind = {".rst": "a reStructuredText", ".html": "an HTML", ".htm": "an HTML"}.get(extension)
            message = (f"{kind} file: the site is built from Markdown (.md) files only, so it would not be "
                       "published, and its format could read the build machine's files or skip the checks."
                       if kind else "not a Markdown (.md) page: the build would leave it out without a word.")
            report(path, message, "Write the page in Markdown as a .md file (docs/editing.md), and remove this one; "
                   "images go in content/images/.")
