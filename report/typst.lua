-- Pandoc → typst fallback only: render images at the text width (Quarto does this itself).
function Image(img)
  if not img.attributes.width then
    img.attributes.width = "100%"
  end
  return img
end

-- Pandoc centres a table in typst and its cells inherit that; left-align the columns that
-- markdown left unspecified, as the HTML does.
function Table(tbl)
  for i, spec in ipairs(tbl.colspecs) do
    if spec[1] == "AlignDefault" then
      tbl.colspecs[i] = { "AlignLeft", spec[2] }
    end
  end
  return tbl
end
