"""HTML parts the casebook plugin puts into pages, rendered from Jinja templates a site can
override: `partials/casebook/<name>.html`, looked up in the theme's folders (mkdocs.yml's
`custom_dir` first, so a site's own copy wins).

Autoescape is on: every value is escaped unless it is `Markup` (only HTML this package built
itself, such as the map SVG and the sanitised source line, is passed as Markup)."""
from __future__ import annotations

import jinja2
from markupsafe import Markup
from mkdocs.exceptions import PluginError

FOLDER = "partials/casebook"


class FragmentError(PluginError):
    """A template is missing or broken; the message names it (in Chinese). MkDocs reports a
    PluginError as a build error, without a traceback."""


class Fragments:
    def __init__(self, dirs: list[str]):
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(list(dirs)), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True,
                                      undefined=jinja2.StrictUndefined)

    def render(self, name: str, /, **context) -> str:
        path = f"{FOLDER}/{name}.html"
        try:
            template = self.env.get_template(path)
        except jinja2.TemplateNotFound:
            raise FragmentError(f"找不到模板 {path}（应在主题覆盖文件夹 overrides/ 中）") from None
        except jinja2.TemplateSyntaxError as err:
            raise FragmentError(f"模板 {path} 第 {err.lineno} 行有误：{err.message}") from None
        # one line: the fragment goes into Markdown and HTML where blank lines would end a block
        return " ".join(line.strip() for line in template.render(**context).splitlines() if line.strip())


def markup(html: str) -> Markup:
    """HTML this package built (and escaped) itself, to be written as is."""
    return Markup(html)
