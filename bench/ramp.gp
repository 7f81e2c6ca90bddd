# The ramp after a start, without and with the class archive: one panel per scenario, req/s per 1 s window.
# gnuplot -e "data='RESULTS.ramp.tsv'; out='RESULTS.ramp.png'; subtitle='...'" bench/ramp.gp (bench/run.sh does)
set terminal pngcairo size 1500,480 font "sans,11"
set output out
set multiplot layout 1,3 title "Requests/s in each 1 s window after the first 200 on health (16 connections)\n".subtitle
set xlabel "seconds since the first 200"
set ylabel "req/s (2xx)"
set grid
set key top left
set yrange [0:*]
set xrange [0:*]
set style data linespoints
names = "search_cached search_uncached create"
titles = "'GET search?id, cached' 'GET search?id, uncached (random ids)' 'POST create'"
do for [i = 1:3] {
  set title word(titles, i)
  plot data index (i - 1) using 1:2 title "no class archive" lw 2 pt 7, \
       '' index (i - 1) using 1:3 title "class archive" lw 2 pt 5
}
unset multiplot
