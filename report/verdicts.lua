-- Typst only (Quarto and the pandoc fallback): verdict spans such as
-- [reproduced]{.verdict .v-reproduced} as coloured labels. HTML styles them in report.css.
-- The typst is self-contained, so Quarto's typst template needs nothing more.

-- fill, stroke, text colour: the colours of report.css.
local COLOURS = {
  ["v-reproduced"] = { "#d1e7dd", "#a3cfbb", "#0a3622" },
  ["v-partly"] = { "#fff3cd", "#ffe69c", "#664d03" },
  ["v-not-reproduced"] = { "#f8d7da", "#f1aeb5", "#58151c" },
  ["v-undecided"] = { "#cfe2ff", "#9ec5fe", "#052c65" },
  ["v-not-measured"] = { "#e9ecef", "#dee2e6", "#495057" },
}

local function colours(span)
  for _, class in ipairs(span.classes) do
    if COLOURS[class] then
      return COLOURS[class]
    end
  end
  return COLOURS["v-not-measured"]
end

function Span(span)
  if not FORMAT:match("typst") or not span.classes:includes("verdict") then
    return nil
  end
  local fill, stroke, ink = table.unpack(colours(span))
  local open = string.format(
    '#box(fill: rgb("%s"), stroke: 0.5pt + rgb("%s"), radius: 0.7em, inset: (x: 0.45em), '
      .. 'outset: (y: 0.3em))[#text(fill: rgb("%s"), weight: "semibold")[',
    fill,
    stroke,
    ink
  )
  local out = pandoc.Inlines({ pandoc.RawInline("typst", open) })
  out:extend(span.content)
  out:insert(pandoc.RawInline("typst", "]];"))
  return out
end
