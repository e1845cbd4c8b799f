-- Pandoc fallback only (HTML and typst): what Quarto adds to pandoc markdown for this report.
--   * callouts: ::: {.callout-note} with an optional "## title" or title="..." attribute;
--   * numbered sections, figures and tables (HTML; typst numbers them itself);
--   * cross-references @fig-x, @tbl-x, @sec-x (pandoc reads them as citations), turned into
--     links "Figure 1", "Table 1", "Section 1". Any other citation fails the render, with
--     one line that starts "report: " (render.py shows it as the error).

local typst = FORMAT:match("typst") ~= nil

local KIND_NAMES = { fig = "Figure", tbl = "Table", sec = "Section" }
local CALLOUT_TITLES = {
  note = "Note", tip = "Tip", warning = "Warning", important = "Important", caution = "Caution",
}
-- Wide tables scroll inside this box in HTML; a caption-less table is not numbered.
local TABLE_BOX = "table-wrap"

local function fail(message)
  error("report: " .. message, 0)
end

local function kind_of(id)
  return id:match("^(%a+)%-")
end

local function to_typst(inlines)
  local out = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), "typst")
  return (out:gsub("%s+$", ""))
end

-- Callouts -----------------------------------------------------------------------------------

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and CALLOUT_TITLES[kind] then
      return kind
    end
  end
end

-- The title and body of a callout: the title comes from a leading header, then from the
-- title attribute, then from the kind, as in Quarto.
local function callout_parts(div, kind)
  local body = div.content:clone()
  if body[1] and body[1].t == "Header" then
    local title = body[1].content
    body:remove(1)
    return title, body
  end
  local attr = div.attributes.title
  if attr then
    local parsed = pandoc.read(attr, "markdown").blocks
    return parsed[1] and parsed[1].content or pandoc.Inlines(attr), body
  end
  return pandoc.Inlines(CALLOUT_TITLES[kind]), body
end

local function callout(div)
  local kind = callout_kind(div)
  if not kind then
    return nil
  end
  local title, body = callout_parts(div, kind)
  if typst then
    local open = string.format('#callout(kind: "%s", title: [%s])[', kind, to_typst(title))
    local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", open) })
    blocks:extend(body)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  return pandoc.Div({
    pandoc.Div({ pandoc.Plain(title) }, { class = "callout-header" }),
    pandoc.Div(body, { class = "callout-body" }),
  }, { id = div.identifier, class = "callout callout-titled callout-" .. kind })
end

-- Numbering ----------------------------------------------------------------------------------

local targets = {} -- id -> { kind = "fig" | "tbl" | "sec", number = string|nil, title = Inlines }

local function register(id, kind, number, title)
  if id == "" then
    return
  end
  if targets[id] then
    fail("the label #" .. id .. " is used twice")
  end
  targets[id] = { kind = kind, number = number, title = title }
end

local function has_caption(caption)
  return #caption.long > 0 and pandoc.utils.stringify(caption.long) ~= ""
end

-- "Figure 1: " in front of a caption (HTML: typst writes it itself).
local function label_caption(caption, name, number)
  if typst or #caption.long == 0 then
    return caption
  end
  local first = caption.long[1]
  if first.content then
    first.content:insert(1, pandoc.Space())
    first.content:insert(1, pandoc.Str(name .. " " .. number .. ":"))
  end
  return caption
end

-- Section numbers as pandoc --number-sections writes them ("2.1"), counted from the
-- document's highest heading level; unnumbered headings get none.
local function section_numberer(top)
  local counts = {}
  return function(header)
    if header.classes:includes("unnumbered") then
      return nil
    end
    local depth = header.level - top + 1
    counts[depth] = (counts[depth] or 0) + 1
    for d = depth + 1, #counts do
      counts[d] = nil
    end
    local parts = {}
    for d = 1, depth do
      parts[d] = tostring(counts[d] or 0)
    end
    return table.concat(parts, ".")
  end
end

-- Headings below an unnumbered one (an appendix's subsections) are unnumbered too.
local function inherit_unnumbered(blocks)
  local unnumbered_level = nil
  return blocks:walk({
    traverse = "topdown",
    Header = function(h)
      if unnumbered_level and h.level <= unnumbered_level then
        unnumbered_level = nil
      end
      if unnumbered_level then
        h.classes:insert("unnumbered")
      elseif h.classes:includes("unnumbered") then
        unnumbered_level = h.level
      end
      return h, false
    end,
  })
end

local function top_level(blocks)
  local top = 6
  blocks:walk({
    Header = function(h)
      top = math.min(top, h.level)
    end,
  })
  return top
end

local function number_all(blocks)
  local figures, tables = 0, 0
  local number_section = section_numberer(top_level(blocks))
  return blocks:walk({
    traverse = "topdown",
    Header = function(h)
      local number = number_section(h)
      register(h.identifier, "sec", number, h.content:clone())
      if number and not typst then
        h.content:insert(1, pandoc.Space())
        h.content:insert(1, pandoc.Span(number, { class = "header-section-number" }))
      end
      return h, false
    end,
    Figure = function(fig)
      figures = figures + 1
      register(fig.identifier, "fig", tostring(figures))
      fig.caption = label_caption(fig.caption, "Figure", figures)
      return fig, false
    end,
    Table = function(tbl)
      if not has_caption(tbl.caption) then
        return tbl, false
      end
      tables = tables + 1
      register(tbl.identifier, "tbl", tostring(tables))
      tbl.caption = label_caption(tbl.caption, "Table", tables)
      return tbl, false
    end,
  })
end

-- Cross-references ---------------------------------------------------------------------------

local function reference(citation)
  -- @Fig-x refers to #fig-x, as in Quarto (the reference text is capitalised anyway).
  local id = citation.id:gsub("^(%a+%-)", string.lower)
  local target = targets[id]
  local kind = kind_of(id)
  if not target or not KIND_NAMES[kind] or target.kind ~= kind then
    fail("unknown cross-reference @" .. citation.id)
  end
  local bare = citation.mode == "SuppressAuthor" -- -@fig-x: the number alone, as in Quarto
  local text
  if not target.number then
    text = pandoc.utils.stringify(target.title)
  elseif bare then
    text = target.number
  else
    text = KIND_NAMES[kind] .. " " .. target.number
  end
  if typst then
    if target.number and not bare then
      return pandoc.RawInline("typst", "#ref(<" .. id .. ">);")
    end
    return pandoc.RawInline("typst", "#link(<" .. id .. ">)[" .. to_typst(pandoc.Inlines(text)) .. "];")
  end
  return pandoc.Link(text, "#" .. id, "", { class = "quarto-xref" })
end

local function resolve(cite)
  local out = pandoc.Inlines({})
  for i, citation in ipairs(cite.citations) do
    if i > 1 then
      out:extend({ pandoc.Str(","), pandoc.Space() })
    end
    if #citation.prefix > 0 then
      out:extend(citation.prefix)
      out:insert(pandoc.Space())
    end
    out:insert(reference(citation))
    if #citation.suffix > 0 then
      out:extend(citation.suffix)
    end
  end
  return out
end

local function box_table(tbl)
  if typst then
    return nil
  end
  local caption = tbl.caption.long
  if #caption == 0 then
    return pandoc.Div({ tbl }, { class = TABLE_BOX })
  end
  -- The caption goes above the scroll box: inside a wide table it would scroll out of view.
  -- The id moves with it, so a cross-reference shows the caption first.
  local id = tbl.identifier
  tbl.identifier = ""
  tbl.caption.long = {}
  return pandoc.Div(
    { pandoc.Div(caption, { class = "table-caption" }), pandoc.Div({ tbl }, { class = TABLE_BOX }) },
    { id = id, class = "table-figure" }
  )
end

function Pandoc(doc)
  local blocks = inherit_unnumbered(doc.blocks:walk({ Div = callout }))
  blocks = number_all(blocks)
  blocks = blocks:walk({ Cite = resolve, Table = box_table })
  doc.blocks = blocks
  return doc
end
