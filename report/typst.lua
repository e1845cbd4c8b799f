-- Pandoc → typst fallback only: render images at the text width (Quarto does this itself).
function Image(img)
  if not img.attributes.width then
    img.attributes.width = "100%"
  end
  return img
end
