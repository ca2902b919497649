(function(){
  document.documentElement.classList.remove('nojs');
  var list=document.getElementById('failing-list'); if(!list) return;
  var items=Array.prototype.slice.call(list.children), size=__PAGE_SIZE__, page=0, shown=items;
  var input=document.getElementById('failing-filter'), info=document.getElementById('failing-info');
  var prev=document.getElementById('failing-prev'), next=document.getElementById('failing-next');
  function draw(){
    var pages=Math.max(1,Math.ceil(shown.length/size)); if(page>=pages) page=pages-1;
    var start=page*size, end=start+size, visible={};
    for(var i=0;i<shown.length;i++){ if(i>=start&&i<end) visible[shown[i].id]=1; }
    for(var j=0;j<items.length;j++){ items[j].hidden=!visible[items[j].id]; }
    info.textContent=(shown.length?(start+1)+'–'+Math.min(end,shown.length):'0')+' / '+shown.length;
    prev.disabled=page<=0; next.disabled=page>=pages-1;
  }
  input.addEventListener('input',function(){
    var q=input.value.trim().toLowerCase();
    shown=q?items.filter(function(el){return el.getAttribute('data-key').indexOf(q)>=0;}):items;
    page=0; draw();
  });
  prev.addEventListener('click',function(){page--;draw();});
  next.addEventListener('click',function(){page++;draw();});
  draw();
})();
