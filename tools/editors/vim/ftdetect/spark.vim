autocmd BufNewFile,BufRead *.spark setfiletype spark
